"""What the Illustrate and Narrate handlers share: parse StoryCreated, finish one medium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bedtime import services
from bedtime.events import BadEvent, StoryCreated
from bedtime.idempotency import once
from bedtime.observability import logger
from bedtime.readiness import complete_medium
from bedtime.settings import settings
from bedtime.stories import Medium, MediumName, Story, StoryNotFound


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
                now=lambda: datetime.now(UTC),
                keys=services.reader_secrets().ensure if settings().private else None,
            )
        except StoryNotFound:
            logger.warning("story is gone (expired or deleted)", story_id=created.storyId)
            return {"storyId": created.storyId, medium: "gone"}
        return {"storyId": story.id, medium: story.medium(medium).status}

    logger.append_keys(story_id=created.storyId)
    return once(settings().idempotency_table, medium, created.storyId, context, work)
