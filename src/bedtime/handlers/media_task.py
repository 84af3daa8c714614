"""What the Illustrate and Narrate handlers share: StoryCreated events from their queue
(or delivered directly, as the sample event is), each finishing one medium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bedtime import services
from bedtime.core import clock
from bedtime.core.events import BadEvent, StoryCreated
from bedtime.core.idempotency import once
from bedtime.core.observability import logger
from bedtime.core.settings import settings
from bedtime.handlers.queue import each_message, is_queue_batch
from bedtime.media.readiness import complete_medium
from bedtime.records.stories import Medium, MediumName, Story, StoryNotFound


def handle_media(
    event: Any, context: Any, medium: MediumName, produce: Callable[[Story], Medium]
) -> dict:
    if is_queue_batch(event):
        return each_message(
            event, context, lambda body: handle_story_created(body, context, medium, produce)
        )
    return handle_story_created(event, context, medium, produce)


def handle_story_created(
    event: Any, context: Any, medium: MediumName, produce: Callable[[Story], Medium]
) -> dict:
    try:
        created = StoryCreated.from_detail(event.get("detail") if isinstance(event, dict) else None)
    except BadEvent as error:
        logger.error("ignoring malformed StoryCreated event", error=str(error))
        return {"error": str(error)}

    def work() -> dict:
        try:
            story = complete_medium(
                created,
                medium,
                produce,
                services.story_store(),
                services.event_bus(),
                now=clock.now,
            )
        except StoryNotFound:
            logger.warning("story is gone (expired or deleted)", story_id=created.storyId)
            return {"storyId": created.storyId, medium: "gone"}
        return {"storyId": story.id, medium: story.medium(medium).status}

    logger.append_keys(story_id=created.storyId)
    return once(settings().idempotency_table, medium, created.storyId, context, work)
