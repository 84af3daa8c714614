"""Tonight's story: the request, the checks, the retry and the fallback."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bedtime import services
from bedtime.families.triggers import BadRequest, StoryRequest
from bedtime.providers import ProviderError
from bedtime.providers.offline.story import OfflineStoryWriter
from bedtime.providers.prompts import story_prompt
from bedtime.records.briefs import Draft, StoryBrief
from bedtime.records.catalog import load_catalog
from bedtime.records.families import Family
from bedtime.records.readability import reading_grade
from bedtime.writing import tonight as writing
from bedtime.writing.tonight import make_story, problems, write_checked

NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)


class ScriptedWriter:
    name = "scripted"
    model = "script-1"

    def __init__(self, *results) -> None:
        self.results = list(results)
        self.calls = 0
        self.briefs: list[StoryBrief] = []

    def write(self, brief: StoryBrief) -> Draft:
        self.calls += 1
        self.briefs.append(brief)
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
    assert "4 words, far fewer than 80" in found
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


def verse(words: int) -> Draft:
    """A story of about this many words, easy for any age, with both characters."""
    line = "Pip and Luna sat by the sea."  # 7 words
    return Draft("By the Sea", (" ".join([line] * (words // 7)),))


def test_a_rewrite_is_told_the_word_count_the_grade_and_the_long_sentences() -> None:
    long_one = (
        "Pip and Luna considered the extraordinarily magnificent constellations "
        "shining above the sleepy silver sea."
    )
    hard = Draft("Stars", ((long_one + " ") * 15,))
    writer = ScriptedWriter(hard, ProviderError("gone"))
    write_checked(replace(brief(), listener_age=5), [writer, writer, OfflineStoryWriter()])
    first, second = writer.briefs
    assert first.rewrite == ()
    notes = "\n".join(second.rewrite)
    grade = reading_grade(" ".join(hard.paragraphs))
    assert "It had 210 words; write about 200" in notes
    assert f"reading grade (Flesch-Kincaid) was {grade:.1f}" in notes
    assert "follows grade 3.0 or below" in notes
    assert f'too long (keep to about 8 words): "{long_one}"' in notes
    prompt = story_prompt(second)
    assert "Write the story again" in prompt
    assert all(f"- {note}\n" in prompt for note in second.rewrite)


def test_a_draft_short_of_the_length_is_kept_when_its_rewrite_fails() -> None:
    wanted = replace(brief(), target_words=600)
    writer = ScriptedWriter(verse(300), ProviderError("timed out"))
    draft, used = write_checked(wanted, [writer, writer, OfflineStoryWriter()])
    assert (draft, used) == (verse(300), writer)
    assert any(
        "fewer than 420" in p for p in writer.briefs[1].rewrite + tuple(problems(draft, wanted))
    )


def test_of_two_drafts_that_miss_the_one_nearer_the_length_and_grade_is_kept() -> None:
    wanted = replace(brief(), target_words=600)
    writer = ScriptedWriter(verse(280), verse(399))
    draft, used = write_checked(wanted, [writer, writer, OfflineStoryWriter()])
    assert (draft, used) == (verse(399), writer)
    writer = ScriptedWriter(verse(399), verse(280))
    assert write_checked(wanted, [writer, writer, OfflineStoryWriter()])[0] == verse(399)


@pytest.mark.parametrize(
    "unusable",
    [
        verse(230),  # under two fifths of 600 words
        Draft("By the Sea", ("Pip sat by the sea. " * 90,)),  # Luna never appears
        ProviderError("refused"),
    ],
)
def test_the_offline_story_is_told_only_when_no_model_draft_is_usable(unusable) -> None:
    wanted = replace(brief(), target_words=600)
    writer = ScriptedWriter(unusable, unusable)
    _, used = write_checked(wanted, [writer, writer, OfflineStoryWriter()])
    assert used.name == "offline" and writer.calls == 2


class RecordingLogger:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict]] = []

    def _record(self, message: str, extra: dict | None = None, **fields) -> None:
        self.lines.append((message, {**(extra or {}), **fields}))

    info = warning = error = _record


def test_a_nights_offline_fallback_is_logged_with_the_measures_of_the_story_kept(
    aws, monkeypatch
) -> None:
    log = RecordingLogger()
    monkeypatch.setattr(writing, "logger", log)
    services.catalog_store().replace("home", load_catalog())
    family = Family("home", ZoneInfo("Europe/London"))

    def night(writer, request_id: str) -> dict:
        make_story(
            StoryRequest.from_event({"trigger": "manual", "requestId": request_id}, NOW, LEAD),
            family,
            catalog=services.catalog_store().load("home"),
            writer=writer,
            fallback=OfflineStoryWriter(),
            moderator=None,
            store=services.story_store(),
            canon=services.canon_store(),
            now=NOW,
            rng=random.Random(3),
        )
        return [fields for message, fields in log.lines if message == "story saved"][-1]

    failed = night(ScriptedWriter(ProviderError("down"), ProviderError("down")), "a")
    assert failed["source"] == "offline-fallback"
    assert failed["words_wanted"] == 690 and failed["words"] > 483
    assert {"reading_grade", "max_grade", "long_sentences"} <= failed.keys()
    assert night(OfflineStoryWriter(), "b")["source"] == "offline"


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
