"""Tonight's story: the request, the checks, the retry and the fallback."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bedtime import services
from bedtime.briefs import Draft, StoryBrief
from bedtime.catalog import load_catalog
from bedtime.families import Family
from bedtime.providers import ProviderError
from bedtime.providers.offline.story import OfflineStoryWriter
from bedtime.triggers import BadRequest, StoryRequest
from bedtime.writing import make_story, problems, write_checked

NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)


class ScriptedWriter:
    name = "scripted"
    model = "script-1"

    def __init__(self, *results) -> None:
        self.results = list(results)
        self.calls = 0

    def write(self, brief: StoryBrief) -> Draft:
        self.calls += 1
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def brief() -> StoryBrief:
    catalog = load_catalog()
    return StoryBrief(catalog.characters[:2], catalog.scenes[0], "en", 200, seed=7)


def good_draft() -> Draft:
    return Draft("Goodnight", ("Pip and Luna go to sleep. The moon is up. " * 25,))


LEAD = timedelta(hours=3)


def test_a_scheduled_request_keys_on_its_family_and_time_and_is_for_bedtime_later() -> None:
    event = {"trigger": "schedule", "family": "nan", "scheduledTime": "2026-11-25T21:30:00Z"}
    request = StoryRequest.from_event(event, NOW, LEAD)
    assert request.idempotency_key == "schedule:nan:2026-11-25T21:30:00+00:00"
    assert request.bedtime == datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    assert request.night(ZoneInfo("Asia/Tokyo")).isoformat() == "2026-11-26"
    assert request.night(ZoneInfo("America/New_York")).isoformat() == "2026-11-25"


def test_a_request_without_a_family_is_for_the_home_family() -> None:
    request = StoryRequest.from_event({"trigger": "manual", "requestId": "r"}, NOW, LEAD)
    assert (request.family, request.bedtime, request.night(ZoneInfo("UTC"))) == (
        "home",
        None,
        NOW.date(),
    )
    assert request.idempotency_key == "manual:home:r"


def test_manual_request_without_an_id_is_never_deduplicated() -> None:
    assert StoryRequest.from_event({"trigger": "manual"}, NOW, LEAD).idempotency_key is None


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        {},
        {"trigger": "later"},
        {"trigger": "schedule"},
        {"trigger": "schedule", "scheduledTime": "tonight"},
        {"trigger": "schedule", "scheduledTime": "2026-11-25T19:15:00"},
        {"trigger": "manual", "requestId": 5},
        {"trigger": "manual", "family": "../etc"},
        {"trigger": "manual", "family": 7},
    ],
)
def test_bad_requests_are_refused_with_a_reason(event) -> None:
    with pytest.raises(BadRequest):
        StoryRequest.from_event(event, NOW, LEAD)


def test_problems_name_what_is_wrong() -> None:
    assert problems(good_draft(), brief()) == []
    found = problems(Draft(" ", ("Pip went to sleep.",)), brief())
    assert "no title" in found
    assert any("fewer than 200" in p for p in found)
    assert any("Luna never appears" in p for p in found)


def test_a_short_draft_is_retried_once() -> None:
    writer = ScriptedWriter(Draft("Short", ("Pip and Luna slept.",)), good_draft())
    draft, used = write_checked(brief(), [writer, writer, OfflineStoryWriter()])
    assert (draft, used, writer.calls) == (good_draft(), writer, 2)


def test_after_two_failures_the_offline_writer_tells_the_story() -> None:
    writer = ScriptedWriter(ProviderError("refused"), Draft("", ()))
    draft, used = write_checked(brief(), [writer, writer, OfflineStoryWriter()])
    assert used.name == "offline"
    assert problems(draft, brief()) == []


def test_make_story_saves_a_checked_story_that_expires_in_two_days(aws) -> None:
    services.catalog_store().replace("home", load_catalog())
    request = StoryRequest.from_event({"trigger": "manual"}, NOW, LEAD)
    story = make_story(
        request,
        Family("home", ZoneInfo("Europe/London")),
        catalog=services.catalog_store().load("home"),
        writer=OfflineStoryWriter(),
        fallback=OfflineStoryWriter(),
        moderator=None,
        store=services.story_store(),
        canon=services.canon_store(),
        now=NOW,
        rng=random.Random(3),
    )
    saved = services.story_store().get(story.id)
    assert saved == story
    assert saved.expires_at - int(NOW.timestamp()) == 2 * 24 * 3600
    assert len(saved.id) >= 22
    assert (saved.image.status, saved.audio.status) == ("pending", "pending")
