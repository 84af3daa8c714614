"""Tonight's email as a parent's mail app shows it: a multipart/alternative message with
a plain-text part and an HTML part (tonight's picture inline, the title, a one-line
summary, one "Read and listen" button), and the headers that let one address stop it
(RFC 8058 one-click unsubscribe). Every name is escaped in the HTML, and left as written
in the plain text."""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

_PACKAGE = Path(__file__).resolve().parents[1]  # bedtime/
# In NotifyFunction's artifact web/ sits beside the package; in the repository, beside src/.
EMAIL_TEMPLATES = next(
    (
        root / "templates" / "email"
        for root in (_PACKAGE.parent / "web", _PACKAGE.parents[1] / "web")
        if (root / "templates" / "email").is_dir()
    ),
    _PACKAGE.parent / "web" / "templates" / "email",
)
# RFC 5322 allows 998 characters a line; folding a long link into an encoded word at 78
# would break the List-Unsubscribe address, so headers are folded only past 998.
POLICY = email.policy.SMTP.clone(max_line_length=998)
SENDER_NAME = "Bedtime Stories"
SUBJECT_NAME_LIMIT = 60
SUBJECT_TITLE_LIMIT = 120


@dataclass(frozen=True)
class Picture:
    body: bytes
    subtype: str  # "png", "jpeg" or "webp"
    alt: str


@dataclass(frozen=True)
class Tonight:
    """What one family's email says tonight (the same for each of its addresses)."""

    family: str
    family_name: str
    title: str
    summary: str
    link: str
    late: bool
    picture: Picture | None
    language: str = "en"
    record_link: str | None = None  # the story's recording page, when the family allows it


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(EMAIL_TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def one_line(text: str, limit: int) -> str:
    """Printable text on one line, at most `limit` characters (a header's text)."""
    printable = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


def subject(family_name: str, title: str) -> str:
    """Names the family and tonight's title."""
    family = one_line(family_name, SUBJECT_NAME_LIMIT)
    return f"Tonight for {family}: {one_line(title, SUBJECT_TITLE_LIMIT)}"


def compose(
    tonight: Tonight, sender: str, to: str, unsubscribe: str, now: datetime
) -> EmailMessage:
    """One address's copy: its own unsubscribe link, in the headers and the footer."""
    domain = sender.rpartition("@")[2]
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject(tonight.family_name, tonight.title)
    message["From"] = formataddr((SENDER_NAME, sender))
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain)
    message["List-Id"] = f"<{tonight.family}.stories.{domain}>"
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    cid = make_msgid(domain=domain) if tonight.picture else ""
    values = {
        "lang": tonight.language,
        "subject": message["Subject"],
        "family_name": tonight.family_name,
        "title": tonight.title,
        "summary": tonight.summary,
        "link": tonight.link,
        "record_link": tonight.record_link,
        "late": tonight.late,
        "address": to,
        "unsubscribe": unsubscribe,
        "picture_cid": cid[1:-1],
        "picture_alt": tonight.picture.alt if tonight.picture else "",
    }
    message.set_content(_templates().get_template("story.txt").render(values))
    message.add_alternative(_templates().get_template("story.html").render(values), subtype="html")
    if tonight.picture:
        html = next(part for part in message.iter_parts() if part.get_content_subtype() == "html")
        html.add_related(
            tonight.picture.body,
            maintype="image",
            subtype=tonight.picture.subtype,
            cid=cid,
            filename=f"tonight.{tonight.picture.subtype}",
            disposition="inline",
        )
    return message
