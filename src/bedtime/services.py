"""The stores and bus the handlers use, built once per container from settings.

Each factory imports what it builds when first called, so a function loads only the
modules its own requests need (the web function's cold start, above all). The web
function's site reads through light_aws's clients, never boto3's."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from bedtime.core.clients import client
from bedtime.core.settings import settings
from bedtime.providers.budget import provider_client
from bedtime.records.story_store import StoryStore

if TYPE_CHECKING:
    from bedtime.core.events import EventBus
    from bedtime.delivery.nightly_email import Postbox
    from bedtime.families.readers import ReaderSecrets
    from bedtime.families.tick import TickState, WorkQueues
    from bedtime.media.storage import MediaStore
    from bedtime.providers import ModelGone
    from bedtime.providers.lifecycle import ConfiguredModel
    from bedtime.providers.model_alarm import ModelAlarm
    from bedtime.records.catalog import CatalogStore
    from bedtime.records.families import FamilyStore
    from bedtime.site.pages import Site
    from bedtime.site.reading import ReadingSite
    from bedtime.writing.canon import CanonStore


@cache
def story_store() -> StoryStore:
    return StoryStore(client("dynamodb"), settings().stories_table)


@cache
def catalog_store() -> CatalogStore:
    from bedtime.records.catalog import CatalogStore

    s = settings()
    return CatalogStore(client("dynamodb"), s.characters_table, s.scenes_table)


@cache
def media_store() -> MediaStore:
    from bedtime.media.storage import MediaStore

    return MediaStore(client("s3"), settings().media_bucket)


@cache
def event_bus() -> EventBus:
    from bedtime.core.events import EventBus

    return EventBus(client("events"), settings().event_bus)


@cache
def family_store() -> FamilyStore:
    from bedtime.records.families import FamilyStore

    return FamilyStore(client("dynamodb"), settings().families_table)


@cache
def tick_state() -> TickState:
    from bedtime.families.tick import TickState

    return TickState(client("dynamodb"), os.environ["TICK_TABLE"])


@cache
def work_queues() -> WorkQueues:
    from bedtime.families.tick import WorkQueues

    return WorkQueues(
        client("sqs"), os.environ["WRITING_QUEUE_URL"], os.environ["BEDTIME_QUEUE_URL"]
    )


@cache
def postbox() -> Postbox:
    from bedtime.delivery.nightly_email import Postbox

    return Postbox(
        client("sesv2"), os.environ["SENDER_EMAIL"], os.environ["EMAIL_CONFIGURATION_SET"]
    )


@cache
def reader_secrets() -> ReaderSecrets:
    from bedtime.families.readers import ReaderSecrets

    s = settings()
    return ReaderSecrets(
        client("dynamodb"), s.families_table, remember_seconds=s.reader_keys_seconds
    )


@cache
def web_client(service: str) -> Any:
    """The web function's client for a service, without botocore (see light_aws)."""
    from bedtime.site.light_aws import light_client

    return light_client(service)


@cache
def site() -> Site:
    from bedtime.media.storage import MediaStore
    from bedtime.records.families import FamilyStore
    from bedtime.site.pages import Site
    from bedtime.writing.canon import CanonStore

    s = settings()
    stories = StoryStore(web_client("dynamodb"), s.stories_table)
    media = MediaStore(web_client("s3"), s.media_bucket)
    families = FamilyStore(web_client("dynamodb"), s.families_table)

    @cache
    def canon() -> CanonStore:
        return CanonStore(web_client("dynamodb"), s.canon_table)

    return Site(
        stories,
        media,
        canon,
        s.time_zone,
        s.story_language,
        families.name_of,
        allows_recording=families.allows_recording,
    )


@cache
def canon_store() -> CanonStore:
    from bedtime.writing.canon import CanonStore

    return CanonStore(client("dynamodb"), settings().canon_table)


@cache
def static_files() -> dict[str, tuple[bytes, str]]:
    """The site's static files, read once per container, by plain and by content-hashed
    name: name -> (body, content type)."""
    import mimetypes

    from bedtime.site.pages import hashed_name

    files = {}
    for path in site().static_root.iterdir():
        if path.is_file():
            body = path.read_bytes()
            served = (body, mimetypes.guess_type(path.name)[0] or "text/plain")
            files[path.name] = files[hashed_name(path.name, body)] = served
    return files


@cache
def reading_site() -> ReadingSite:
    from bedtime.families.readers import ReaderSecrets
    from bedtime.families.unsubscribing import Mailing
    from bedtime.records.families import FamilyStore
    from bedtime.site.reading import ReadingSite

    s = settings()
    signing = ReaderSecrets(
        web_client("dynamodb"), s.families_table, remember_seconds=s.reader_keys_seconds
    )
    mailing = Mailing(signing, FamilyStore(web_client("dynamodb"), s.families_table))
    secrets = signing if s.private else None
    return ReadingSite(site(), secrets, static_files, mailing=mailing)


@cache
def model_alarm() -> ModelAlarm:
    from bedtime.providers.model_alarm import ModelAlarm

    return ModelAlarm(
        client("dynamodb"),
        settings().idempotency_table,
        client("sns"),
        os.environ["ALERTS_TOPIC_ARN"],
    )


def report_model_gone(error: ModelGone, configured: ConfiguredModel, instead: str) -> None:
    """A provider's Degrading report: the operator's alarm, raised once."""
    from bedtime.core import clock

    model_alarm().model_gone(error, configured, instead, clock.now())


def clear() -> None:
    """Forget every cached client, store and setting (tests and the local runner)."""
    for cached in (
        story_store,
        catalog_store,
        media_store,
        event_bus,
        reader_secrets,
        family_store,
        tick_state,
        work_queues,
        postbox,
        canon_store,
        web_client,
        site,
        static_files,
        reading_site,
        model_alarm,
        client,
        provider_client,
        settings,
    ):
        cached.cache_clear()
