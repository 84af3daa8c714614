"""The stores and bus the handlers use, built once per container from settings.

Each factory imports what it builds when first called, so a function loads only the
modules its own requests need (the web function's cold start, above all)."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from bedtime.clients import client, provider_client
from bedtime.settings import settings
from bedtime.story_store import StoryStore

if TYPE_CHECKING:
    from bedtime.bedtimes import FamilySchedules
    from bedtime.canon import CanonStore
    from bedtime.catalog import CatalogStore
    from bedtime.delivery import Postbox
    from bedtime.events import EventBus
    from bedtime.families import FamilyStore
    from bedtime.media import MediaStore
    from bedtime.readers import ReaderSecrets
    from bedtime.reading import ReadingSite
    from bedtime.site import Site
    from bedtime.subscriptions import EmailSubscriptions


@cache
def story_store() -> StoryStore:
    return StoryStore(client("dynamodb"), settings().stories_table)


@cache
def catalog_store() -> CatalogStore:
    from bedtime.catalog import CatalogStore

    s = settings()
    return CatalogStore(client("dynamodb"), s.characters_table, s.scenes_table)


@cache
def media_store() -> MediaStore:
    from bedtime.media import MediaStore

    return MediaStore(client("s3"), settings().media_bucket)


@cache
def event_bus() -> EventBus:
    from bedtime.events import EventBus

    return EventBus(client("events"), settings().event_bus)


@cache
def family_store() -> FamilyStore:
    from bedtime.families import FamilyStore

    return FamilyStore(client("dynamodb"), settings().families_table)


def family_name(family_id: str) -> str:
    """What a person calls the family (its "name"), or its id when it has gone."""
    from bedtime.families import FamilyNotFound

    try:
        return family_store().get(family_id).name
    except FamilyNotFound:
        return family_id


@cache
def family_schedules() -> FamilySchedules:
    from bedtime.bedtimes import FamilySchedules, Targets

    targets = Targets(
        group=os.environ["SCHEDULE_GROUP"],
        role_arn=os.environ["SCHEDULER_ROLE_ARN"],
        writing_queue_arn=os.environ["WRITING_QUEUE_ARN"],
        notify_function_arn=os.environ["NOTIFY_FUNCTION_ARN"],
        failures_queue_arn=os.environ["FAILURES_QUEUE_ARN"],
    )
    return FamilySchedules(client("scheduler"), targets, settings().lead)


@cache
def email_subscriptions() -> EmailSubscriptions:
    from bedtime.subscriptions import EmailSubscriptions

    return EmailSubscriptions(
        client("sns"),
        os.environ["STORY_TOPIC_ARN"],
        client("dynamodb"),
        os.environ["FAMILIES_TABLE"],
    )


@cache
def postbox() -> Postbox:
    from bedtime.delivery import Postbox

    return Postbox(client("sns"), os.environ["STORY_TOPIC_ARN"])


@cache
def reader_secrets() -> ReaderSecrets:
    from bedtime.readers import ReaderSecrets

    return ReaderSecrets(client("dynamodb"), settings().families_table)


@cache
def site() -> Site:
    from bedtime.site import Site

    s = settings()
    return Site(
        story_store(), media_store(), canon_store, s.time_zone, s.story_language, family_name
    )


@cache
def canon_store() -> CanonStore:
    from bedtime.canon import CanonStore

    return CanonStore(client("dynamodb"), settings().canon_table)


@cache
def static_files() -> dict[str, tuple[bytes, str]]:
    """The site's static files, read once per container: name -> (body, content type)."""
    import mimetypes

    return {
        path.name: (path.read_bytes(), mimetypes.guess_type(path.name)[0] or "text/plain")
        for path in site().static_root.iterdir()
        if path.is_file()
    }


@cache
def reading_site() -> ReadingSite:
    from bedtime.reading import ReadingSite

    return ReadingSite(site(), reader_secrets() if settings().private else None, static_files)


def clear() -> None:
    """Forget every cached client, store and setting (tests and the local runner)."""
    for cached in (
        story_store,
        catalog_store,
        media_store,
        event_bus,
        reader_secrets,
        family_store,
        family_schedules,
        email_subscriptions,
        postbox,
        canon_store,
        site,
        static_files,
        reading_site,
        client,
        provider_client,
        settings,
    ):
        cached.cache_clear()
