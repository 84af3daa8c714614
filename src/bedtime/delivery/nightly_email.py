"""Each family's one email a night: sent at bedtime when the story is ready, or the
moment it is ready when it is late (with a line saying so), never twice; to each of the
family's addresses that has not unsubscribed, bounced or complained."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bedtime.core.access import Keys
from bedtime.core.addresses import is_email_address
from bedtime.core.observability import logger
from bedtime.delivery.email_message import Picture, Tonight, compose
from bedtime.families.unsubscribing import PATH as UNSUBSCRIBE
from bedtime.records.families import Family
from bedtime.records.stories import Story
from bedtime.records.story_store import StoryStore

LATE_AFTER = timedelta(minutes=5)
BEDTIME_WINDOW = timedelta(hours=12)  # a bedtime delivers the story made for it
PICTURE_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "webp": "webp"}


def summary(story: Story) -> str:
    """One line: who is in it, and where."""
    return f"{' and '.join(story.characters)} in {story.scene}."


def recipients(family: Family | None) -> list[str]:
    """The family's addresses, less those unsubscribed or suppressed (bounced or
    complained), each once."""
    if family is None:
        return []
    stopped = family.unsubscribed | family.suppressed
    found: dict[str, str] = {}
    for email in family.emails:
        address = email.strip()
        if not is_email_address(address):  # an item written past the family file's check
            logger.error("not an email address: not emailed", family=family.id, text=email)
        elif address.lower() not in stopped:
            found.setdefault(address.lower(), address)
    return list(found.values())


class Postbox:
    """The families' email through Amazon SES (SESv2 SendEmail, raw MIME content), one
    message per address so that each carries its own unsubscribe link. The configuration
    set publishes bounces and complaints; the tag says whose email it was."""

    def __init__(self, ses: Any, sender: str, configuration_set: str) -> None:
        self._ses = ses
        self.sender = sender
        self._configuration_set = configuration_set

    def send(self, family: str, to: str, raw: bytes) -> None:
        self._ses.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": raw}},
            ConfigurationSetName=self._configuration_set,
            EmailTags=[{"Name": "family", "Value": family}],
        )


@dataclass(frozen=True)
class Household:
    """What delivery reads about a family: the family itself (None once removed), its
    signing keys, and tonight's picture."""

    family: Callable[[str], Family | None]
    keys: Callable[[str], Keys]
    picture: Callable[[Story], Picture | None]


def deliver(
    story: Story,
    site_url: str,
    private: bool,
    store: StoryStore,
    postbox: Postbox,
    now: datetime,
    household: Household,
) -> bool:
    """Send the story's email if it is due; True when this call sent it. The night is
    claimed first; anything that fails before an address got its copy releases the
    claim, so Lambda's retry sends it."""
    if not is_due(story, now):
        return False
    if not store.claim_email(story.id, now):
        return False
    try:
        sent = _send_claimed(story, site_url, private, postbox, now, household)
    except Exception:
        store.release_email(story.id)
        raise
    return sent > 0


def _send_claimed(
    story: Story,
    site_url: str,
    private: bool,
    postbox: Postbox,
    now: datetime,
    household: Household,
) -> int:
    family = household.family(story.family)
    to = recipients(family)
    if family is None or not to:
        logger.warning(
            "story not emailed: the family has no address to send to",
            story_id=story.id,
            family=story.family,
        )
        return 0
    site = site_url.rstrip("/")
    keys = household.keys(story.family)
    link = f"{site}/stories/{story.id}"
    record_link = f"{link}/record" if family.recording else None
    if private:
        link += keys.story_query(story.id, story.expires_at)
        if record_link:
            record_link += keys.record_query(story.id, story.expires_at)
    tonight = Tonight(
        family=story.family,
        family_name=family.name or story.family,
        title=story.title,
        summary=summary(story),
        link=link,
        record_link=record_link,
        late=is_late(story),
        picture=household.picture(story),
        language=family.language,
    )
    sent = _send_each(
        tonight, to, postbox, now, lambda a: site + UNSUBSCRIBE + keys.unsubscribe_query(a)
    )
    if not sent:
        raise EmailNotSent(f"no address of family {story.family} took tonight's email")
    logger.info(
        "story emailed",
        story_id=story.id,
        family=story.family,
        late=tonight.late,
        addresses=len(sent),
    )
    return len(sent)


class EmailNotSent(RuntimeError):
    """SES refused every address; the claim is released so a retry sends it."""


def _send_each(
    tonight: Tonight,
    to: list[str],
    postbox: Postbox,
    now: datetime,
    unsubscribe: Callable[[str], str],
) -> list[str]:
    """Each address its own copy. One refused address (SES's sandbox refuses an
    unverified one) is logged and the others still get theirs; if all are refused the
    caller raises, so the night is retried and, failing, reaches the failures queue."""
    sent = []
    for address in to:
        message = compose(tonight, postbox.sender, address, unsubscribe(address), now)
        try:
            postbox.send(tonight.family, address, message.as_bytes())
        except Exception as error:
            logger.error("email refused", family=tonight.family, address=address, error=str(error))
            continue
        sent.append(address)
    return sent


def picture_of(story: Story, read: Callable[[str], bytes]) -> Picture | None:
    """Tonight's picture as it travels inline, if it was painted."""
    key = story.image.key
    if story.image.status != "done" or not key:
        return None
    subtype = PICTURE_TYPES.get(key.rpartition(".")[2].lower())
    if subtype is None:
        return None
    return Picture(read(key), subtype, story.image.alt or f"A picture of {summary(story)}")


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
