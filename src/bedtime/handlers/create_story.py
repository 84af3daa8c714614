"""CreateStoryFunction: the nightly schedule (or `make story`) asks for a story."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from bedtime import services
from bedtime.catalog import CatalogError, Entry
from bedtime.families import Family
from bedtime.idempotency import once
from bedtime.looks import with_looks
from bedtime.observability import logger
from bedtime.providers.budget import Budget
from bedtime.providers.factory import (
    moderator,
    offline_story_writer,
    paints_with_a_model,
    story_writer,
)
from bedtime.settings import settings
from bedtime.writing import BadRequest, StoryRequest, make_story


def looks_by(writer: Any) -> Callable[[tuple[Entry, Entry]], tuple[Entry, Entry]] | None:
    if not hasattr(writer, "look"):
        return None
    return partial(with_looks, describer=writer, remember=services.catalog_store().set_look)


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    try:
        request = StoryRequest.from_event(event, now=datetime.now(UTC))
    except BadRequest as error:
        logger.error("ignoring malformed CreateStory event", error=str(error))
        return {"error": str(error)}
    s = settings()

    def work() -> dict:
        budget = Budget.of(context)
        writer = story_writer(s, budget)
        story = make_story(
            request,
            Family.home(s),
            catalog=services.catalog_store().load(),
            writer=writer,
            fallback=offline_story_writer(),
            moderator=moderator(s, budget),
            store=services.story_store(),
            canon=services.canon_store(),
            now=datetime.now(UTC),
            looks=looks_by(writer) if paints_with_a_model(s) else None,
        )
        return {"storyId": story.id, "night": story.night.isoformat(), "title": story.title}

    key = request.idempotency_key
    try:
        if key is None:
            return work()
        return once(s.idempotency_table, "create-story", key, context, work)
    except CatalogError as error:
        message = f"the catalog cannot be used ({error}); load one with `make seed`"
        logger.error(message)
        return {"error": message}
