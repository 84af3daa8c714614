"""Each family's one email a night: sent at bedtime when the story is ready, or the
moment it is ready when it is late (with a line saying so), never twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bedtime.core.access import Keys
from bedtime.core.observability import logger
from bedtime.records.stories import Story
from bedtime.records.story_store import StoryStore

SUBJECT = "Tonight's bedtime story for {family} is ready"  # SNS: one line, < 100 characters
LATE_AFTER = timedelta(minutes=5)
BEDTIME_WINDOW = timedelta(hours=12)  # a bedtime delivers the story made for it


@dataclass(frozen=True)
class Letter:
    family: str
    subject: str
    body: str


def subject(family_name: str) -> str:
    """The email's subject, naming the family: SNS takes one line of printable text,
    under 100 characters (a family's name is at most 60, and checked for controls)."""
    printable = "".join(c for c in family_name if c.isprintable())
    return SUBJECT.format(family=printable[:60])


def letter(
    story: Story, link: str, late: bool, family_name: str, record_link: str | None = None
) -> Letter:
    """A plain-text email: the title as the family wrote or the model gave it, unescaped
    (an email client shows text/plain as text); with the story's recording link when the
    family allows recording."""
    lines = [f"{subject(family_name)}: {story.title}", ""]
    if late:
        lines += ["It is a little late tonight, sorry. Sleep tight all the same.", ""]
    lines += [
        f"Read it and listen to it here: {link}",
        "",
    ]
    if record_link:
        lines += [
            "Read tonight's story in your own voice, or send this link to someone far away",
            f"(it opens only this story's recording page): {record_link}",
            "",
        ]
    lines += ["Sleep well. The story fades away after two days."]
    return Letter(story.family, subject(family_name), "\n".join(lines) + "\n")


class Postbox:
    """The family's email: published to the stories topic with the family as a message
    attribute, which each address's subscription filters on."""

    def __init__(self, sns: Any, topic_arn: str) -> None:
        self._sns = sns
        self._topic = topic_arn

    def send(self, sent: Letter) -> None:
        self._sns.publish(
            TopicArn=self._topic,
            Subject=sent.subject,
            Message=sent.body,
            MessageAttributes={"family": {"DataType": "String", "StringValue": sent.family}},
        )


def deliver(
    story: Story,
    site_url: str,
    keys: Callable[[str], Keys] | None,
    store: StoryStore,
    postbox: Postbox,
    now: datetime,
    family_name: Callable[[str], str] = str,
    allows_recording: Callable[[str], bool] = lambda family: True,
) -> bool:
    """Send the story's email if it is due; True when this call sent it."""
    if not is_due(story, now):
        return False
    if not store.claim_email(story.id, now):
        return False
    link = f"{site_url.rstrip('/')}/stories/{story.id}"
    record_link = f"{link}/record" if allows_recording(story.family) else None
    if keys is not None:
        family_keys = keys(story.family)
        link += family_keys.story_query(story.id, story.expires_at)
        if record_link:
            record_link += family_keys.record_query(story.id, story.expires_at)
    late = is_late(story)
    try:
        postbox.send(letter(story, link, late, family_name(story.family), record_link))
    except Exception:
        store.release_email(story.id)
        raise
    logger.info("story emailed", story_id=story.id, family=story.family, late=late)
    return True


def is_due(story: Story, now: datetime) -> bool:
    """Ready, and its bedtime has come (a story asked for now has none: ready is due)."""
    return bool(story.ready_at) and (story.deliver_at is None or now >= story.deliver_at)


def is_late(story: Story) -> bool:
    """Ready only after its bedtime, so the family waited for it (a story asked for now
    has no bedtime, and is never late). A story ready in time is not late however long
    the bedtime's own message took: with the local run's fast clock, a second is minutes."""
    if story.deliver_at is None or story.ready_at is None:
        return False
    return datetime.fromisoformat(story.ready_at) > story.deliver_at + LATE_AFTER


def tonights_story(store: StoryStore, family: str, bedtime: datetime) -> Story | None:
    """The family's story made for this bedtime (the newest scheduled one for it)."""
    for story in store.family_stories(family, limit=10):
        if story.deliver_at and abs(story.deliver_at - bedtime) < BEDTIME_WINDOW:
            return story
    return None
