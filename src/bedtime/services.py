"""The stores and bus the handlers use, built once per container from settings."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bedtime.catalog import CatalogStore
from bedtime.clients import client
from bedtime.events import EventBus
from bedtime.media import MediaStore
from bedtime.settings import settings
from bedtime.stories import StoryStore

if TYPE_CHECKING:
    from bedtime.site import Site


@cache
def story_store() -> StoryStore:
    return StoryStore(client("dynamodb"), settings().stories_table)


@cache
def catalog_store() -> CatalogStore:
    s = settings()
    return CatalogStore(client("dynamodb"), s.characters_table, s.scenes_table)


@cache
def media_store() -> MediaStore:
    return MediaStore(client("s3"), settings().media_bucket)


@cache
def event_bus() -> EventBus:
    return EventBus(client("events"), settings().event_bus)


@cache
def site() -> Site:
    from bedtime.site import Site  # only the web function needs Jinja

    s = settings()
    return Site(story_store(), media_store(), s.time_zone, s.story_language)


@cache
def reader_key() -> str | None:
    """The key every page needs, or None: from Secrets Manager in the cloud, else the env."""
    s = settings()
    if s.reader_key_secret:
        from aws_lambda_powertools.utilities.parameters import get_secret

        return get_secret(s.reader_key_secret)
    return s.reader_key


def clear() -> None:
    """Forget every cached client, store and setting (tests and the local runner)."""
    for cached in (
        story_store,
        catalog_store,
        media_store,
        event_bus,
        site,
        reader_key,
        client,
        settings,
    ):
        cached.cache_clear()
