"""CreateStoryFunction: a family's story is wanted, from the writing queue (fed by the
family's make time, sent by the tick ahead of bedtime) or asked for now (`make story`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from bedtime import services
from bedtime.core import clock
from bedtime.core.idempotency import once
from bedtime.core.observability import logger
from bedtime.core.settings import settings
from bedtime.families.triggers import BadRequest, StoryRequest
from bedtime.handlers.queue import each_message, is_queue_batch
from bedtime.media.looks import with_looks
from bedtime.providers.budget import Budget
from bedtime.providers.factory import (
    moderator,
    offline_story_writer,
    paints_with_a_model,
    story_writer,
)
from bedtime.records.catalog import CatalogError, Entry
from bedtime.records.families import Family, FamilyNotFound
from bedtime.records.stories import HOME
from bedtime.writing.tonight import make_story

Looks = Callable[[tuple[Entry, Entry]], tuple[Entry, Entry]]


def looks_by(writer: Any, family: str) -> Looks | None:
    if not hasattr(writer, "look"):
        return None
    remember = partial(services.catalog_store().set_look, family)
    return partial(with_looks, describer=writer, remember=remember)


def family_for(request: StoryRequest) -> Family:
    """The family from the Families table; the home family of a one-family deployment is
    its template's parameters until `make seed` writes it there."""
    try:
        return services.family_store().get(request.family)
    except FamilyNotFound:
        if request.family == HOME:
            return Family.home(settings())
        raise


def create(event: Any, context: Any, queued: bool) -> dict:
    s = settings()
    try:
        request = StoryRequest.from_event(event, now=clock.now(), lead=s.lead)
    except BadRequest as error:
        logger.error("ignoring malformed CreateStory event", error=str(error))
        return {"error": str(error)}
    logger.append_keys(family=request.family)

    def work() -> dict:
        budget = Budget.of(context)
        family = family_for(request)
        writer = story_writer(s, budget, services.report_model_gone)
        story = make_story(
            request,
            family,
            catalog=services.catalog_store().load(family.id),
            writer=writer,
            fallback=offline_story_writer(),
            moderator=moderator(s, budget),
            store=services.story_store(),
            canon=services.canon_store(),
            now=clock.now(),
            looks=looks_by(writer, family.id) if paints_with_a_model(s) else None,
            requeue_throttled=queued,
        )
        return {"storyId": story.id, "night": story.night.isoformat(), "title": story.title}

    key = request.idempotency_key
    try:
        return (
            work() if key is None else once(s.idempotency_table, "create-story", key, context, work)
        )
    except (CatalogError, FamilyNotFound) as error:
        message = f"no story for family {request.family}: {error}; load it with `make seed`"
        logger.error(message)
        return {"error": message}


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    if is_queue_batch(event):
        return each_message(event, context, lambda body: create(body, context, queued=True))
    return create(event, context, queued=False)
