"""The families' emails, locally: moto's SES keeps each message NotifyFunction sends,
exactly as SendEmail received it; the local run takes them from there, shows each, and
files it as an RFC 5322 `.eml` under its family (open one with a mail program)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from bedtime.families.family_file import FamilyCatalog
from bedtime_local.state import write_private

LINK = re.compile(r"Read and listen: (\S+)")
LIST_ID = re.compile(r"<([a-z0-9-]+)\.stories\.")


@dataclass(frozen=True)
class Email:
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def family(self) -> str:
        found = LIST_ID.match(str(self.message["List-Id"] or ""))
        return found.group(1) if found else ""

    @property
    def to(self) -> str:
        return str(self.message["To"] or "")

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return str(body.get_content()).replace("\r\n", "\n") if body is not None else ""

    @property
    def body(self) -> str:
        """The plain-text part."""
        return self.part("plain")

    @property
    def link(self) -> str:
        found = LINK.search(self.body)
        return found.group(1) if found else ""

    @property
    def story_id(self) -> str:
        return self.link.split("/stories/")[-1].split("?")[0] if self.link else ""

    @property
    def late(self) -> bool:
        return "a little late" in self.body

    @property
    def unsubscribe(self) -> str:
        return str(self.message["List-Unsubscribe"] or "").strip("<>")


def take_sent(account: str, region: str) -> list[Email]:
    """Every message moto's SES has accepted since the last call (moto runs in this
    process: the local run's server and the tests' mock share its accounts)."""
    from moto.ses.models import RawMessage, ses_backends

    sent = ses_backends[account][region].sent_messages
    taken, sent[:] = list(sent), []
    return [
        Email(message.raw_data.encode()) for message in taken if isinstance(message, RawMessage)
    ]


def file_email(outbox: Path, email: Email) -> Path:
    folder = outbox / (email.family or "unknown")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{email.story_id or 'email'}.eml"
    write_private(path, email.raw.decode())
    return path


def with_an_address(entry: FamilyCatalog) -> FamilyCatalog:
    """A family given no address (in the file, or by `make family ADD=`) gets a stand-in
    here, so that its email, with its story's link, lands in the outbox and on the
    console like the others'."""
    if entry.family.emails:
        return entry
    return replace(entry, family=replace(entry.family, emails=(f"{entry.family.id}@example.com",)))
