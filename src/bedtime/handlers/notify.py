"""NotifyFunction: a family's bedtime has come (the tick's message on the bedtime
queue), or a story has become ready (StoryReady): send the family's one email for the
night when it is due. At bedtime, a picture still unpainted is painted offline first, so
the email need not wait."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from bedtime import services
from bedtime.core import clock
from bedtime.core.events import BadEvent, StoryCreated, StoryReady
from bedtime.core.observability import logger
from bedtime.core.settings import settings
from bedtime.delivery.nightly_email import Household, deliver, picture_of, tonights_story
from bedtime.families.triggers import BadRequest, Bedtime
from bedtime.handlers.queue import each_message, is_queue_batch
from bedtime.media.illustrating import paint_picture
from bedtime.media.readiness import complete_medium
from bedtime.providers.factory import offline_painter
from bedtime.records.stories import Story, StoryNotFound


def send_if_due(story_id: str, now: datetime | None = None) -> dict:
    store, s = services.story_store(), settings()
    try:
        story = store.get(story_id)
    except StoryNotFound:
        return {"storyId": story_id, "emailed": False}
    media = services.media_store()
    household = Household(
        services.family_store().find,
        services.reader_secrets().ensure,
        partial(picture_of, read=media.read),
    )
    sent = deliver(
        story, s.site_url, s.private, store, services.postbox(), now or clock.now(), household
    )
    return {"storyId": story_id, "emailed": sent}


def at_bedtime(bedtime: Bedtime) -> dict:
    store = services.story_store()
    story = tonights_story(store, bedtime.family, bedtime.at)
    if story is None:
        logger.warning(
            "not written by bedtime: it is emailed the moment it is ready", family=bedtime.family
        )
        return {"family": bedtime.family, "emailed": False}
    if story.emailed_at:  # sent when it was ready (a `make run` start emails at once)
        logger.info("emailed before bedtime", story_id=story.id)
        return {"storyId": story.id, "emailed": False}
    if story.deliver_at != bedtime.at:  # the family moved its bedtime since it was made
        store.set_bedtime(story.id, bedtime.at)
    finish_picture_now(story)
    sent = send_if_due(story.id, max(clock.now(), bedtime.at))  # the schedule says it is time
    if not sent["emailed"]:
        logger.warning("not emailed at bedtime: not ready yet", story_id=story.id)
    return sent


def finish_picture_now(story: Story) -> None:
    """Bedtime has come: a picture still unpainted is painted offline now, so tonight's
    email need not wait for it, and the story is announced if its narration is done too.
    Safe to repeat: an invocation retried after a failure here announces what the first
    could not."""
    url = f"{settings().site_url.rstrip('/')}/stories/{story.id}"
    created = StoryCreated(
        story.id, story.night.isoformat(), story.title, list(story.characters), story.scene, url
    )
    complete_medium(
        created,
        "image",
        lambda s: paint_picture(
            s, offline_painter(), services.media_store(), offline_painter, clock.now()
        ),
        services.story_store(),
        services.event_bus(),
        now=clock.now,
    )


def on_bedtime(event: Any) -> dict:
    try:
        return at_bedtime(Bedtime.from_event(event))
    except BadRequest as error:
        logger.error("ignoring malformed Notify event", error=str(error))
        return {"error": str(error)}


@logger.inject_lambda_context(clear_state=True, correlation_id_path=correlation_paths.EVENT_BRIDGE)
def handler(event: Any, context: Any) -> dict:
    if is_queue_batch(event):
        return each_message(event, context, on_bedtime)
    if isinstance(event, dict) and event.get("detail-type") == StoryReady.detail_type:
        try:
            return send_if_due(StoryReady.from_detail(event.get("detail")).storyId)
        except BadEvent as error:
            logger.error("ignoring malformed StoryReady event", error=str(error))
            return {"error": str(error)}
    return on_bedtime(event)
