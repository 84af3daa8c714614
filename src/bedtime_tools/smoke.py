"""`make smoke`: prove a stack from the outside, as a family would meet it.

Asks the providers whether each configured model is still served (refused when one is
gone); asks for a story and waits for its picture and narration; opens its page and checks
the status and security headers; fetches every media URL on the page (status, type,
size, SigV4, allowed by the page's CSP); checks that nothing reached the failures
queue. Prints one table, and exits non-zero with the fix when something is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bedtime.core import clock
from bedtime.records.stories import Story
from bedtime_tools.links import story_link
from bedtime_tools.models import model_report
from bedtime_tools.story import ask_for_story, wait_for_story
from bedtime_tools.target import Target

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Strict-Transport-Security",
)
MEDIA_TYPES = {"img": ("image/png", "img-src"), "audio": ("audio/mpeg", "media-src")}
HTTP_TIMEOUT = 30


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str
    fix: str = ""


class _MediaFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        source = dict(attrs).get("src")
        if tag in MEDIA_TYPES and source:
            self.found.append((tag, source))


def media_on(page: str) -> list[tuple[str, str]]:
    finder = _MediaFinder()
    finder.feed(page)
    return finder.found


def csp_sources(csp: str, directive: str) -> list[str]:
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == directive:
            return words[1:]
    return []


def check_story(story: Story) -> Check:
    statuses = f"picture {story.image.status}, narration {story.audio.status}"
    done = story.image.status == story.audio.status == "done"
    fix = "" if done else "read the functions' logs (`make logs`) for why a medium failed"
    return Check("story made, picture and narration done", done, statuses, fix)


def check_page(response: requests.Response) -> Check:
    missing = [name for name in SECURITY_HEADERS if name not in response.headers]
    passed = response.status_code == 200 and not missing
    detail = f"HTTP {response.status_code}" + (f", missing {', '.join(missing)}" if missing else "")
    return Check(
        "story page and its security headers",
        passed,
        detail,
        "" if passed else "check the WebFunction's logs (`make logs`)",
    )


def check_medium(tag: str, url: str, csp: str, session: requests.Session) -> Check:
    wanted_type, directive = MEDIA_TYPES[tag]
    parts = urlsplit(url)
    problems = []
    if parse_qs(parts.query).get("X-Amz-Algorithm") != ["AWS4-HMAC-SHA256"]:
        problems.append("not signed with SigV4")
    if f"{parts.scheme}://{parts.netloc}" not in csp_sources(csp, directive):
        problems.append(f"{parts.netloc} is not in the CSP's {directive}")
    response = session.get(url, timeout=HTTP_TIMEOUT)
    content_type = response.headers.get("Content-Type", "")
    if response.status_code != 200:
        problems.append(f"HTTP {response.status_code}")
    if content_type != wanted_type:
        problems.append(f"Content-Type {content_type or 'none'}, not {wanted_type}")
    if not response.content:
        problems.append("empty")
    detail = "; ".join(problems) or f"{wanted_type}, {len(response.content):,} bytes, SigV4"
    fix = "" if not problems else "see README, 'Reliability and security': presigned media URLs"
    return Check(f"{tag} media URL", not problems, detail, fix)


def check_failures(target: Target) -> Check:
    sqs = target.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=target.names["FailuresQueue"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    waiting = sum(int(value) for value in attributes.values())
    fix = (
        ""
        if not waiting
        else "read the messages in the stack's FailuresQueue: each says what failed"
    )
    return Check("failures queue empty", waiting == 0, f"{waiting} messages", fix)


def check_models(target: Target, openai_client: Any, today: date) -> list[Check]:
    """Each model the target is configured with: refused when gone, a warning (passed) when
    it retires within 30 days, skipped when no key or credentials are at hand."""
    bedrock = None if target.local else (lambda: target.client("bedrock"))
    statuses, skipped = model_report(target.parameters, openai_client, bedrock, today)
    checks = [
        Check(
            f"model {status.configured.parameter} served",
            status.state != "gone",
            ("WARNING: " if status.state == "retiring" else "") + status.message,
            status.fix if status.state == "gone" else "",
        )
        for status in statuses
    ]
    return checks + [Check("model check", True, f"skipped for {reason}") for reason in skipped]


def smoke(
    target: Target, timeout: float, say: Callable[[str], None], openai_client: Any = None
) -> list[Check]:
    say(f"Smoke test of {target.description}")
    say("Asking the providers about the configured models...")
    models = check_models(target, openai_client, clock.now().date())
    say("Asking for a story...")
    story_id = ask_for_story(target)
    try:
        story = wait_for_story(target, story_id, timeout, say)
    except TimeoutError as error:
        fix = "see the failures queue and `make logs`; the stack may need a longer timeout"
        return [
            *models,
            Check("story made in time", False, str(error), fix),
            check_failures(target),
        ]
    checks = [*models, check_story(story)]
    session = requests.Session()
    say("Opening its page...")
    page = session.get(story_link(target, story.id), timeout=HTTP_TIMEOUT)
    checks.append(check_page(page))
    csp = page.headers.get("Content-Security-Policy", "")
    for tag, url in media_on(page.text):
        say(f"Fetching the {tag} media...")
        checks.append(check_medium(tag, url, csp, session))
    if not any(check.name.endswith("media URL") for check in checks):
        checks.append(Check("media on the page", False, "none found", "see the page's HTML"))
    checks.append(check_failures(target))
    return checks


def table(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    lines = [
        f"{'ok' if check.passed else 'FAILED':<6}  {check.name:<{width}}  {check.detail}"
        for check in checks
    ]
    lines += [f"\nTo fix '{c.name}': {c.fix}" for c in checks if not c.passed and c.fix]
    return "\n".join(lines)
