"""Nothing lost, nothing doubled: duplicates, faults and malformed input end in defined states."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from bedtime import services
from bedtime.handlers import create_story, illustrate, narrate, notify, web
from bedtime.providers import Narration, ProviderError
from bedtime.records.briefs import Draft
from bedtime.records.catalog import load_catalog
from bedtime.records.story_store import StoryStore
from bedtime_local.function_url import function_url_event
from helpers import (
    SAMPLE_STORY_ID,
    delivered,
    reader_cookie,
    sample_event,
    saved_stories,
    story_record,
)


class Counting:
    """A painter or voice that counts its calls and fails as told."""

    name = "counting"
    model = "counting-1"

    def __init__(self, failure: Exception | None = None) -> None:
        self.calls = 0
        self.failure = failure

    def paint(self, brief) -> bytes:
        self.calls += 1
        if self.failure:
            raise self.failure
        return b"\x89PNG\r\n\x1a\nfake"

    def speak(self, title, paragraphs, language) -> Narration:
        self.calls += 1
        if self.failure:
            raise self.failure
        return Narration(mp3=b"\xff\xfbfake", line_marks=[{"time": 0, "value": title}])

    def write(self, brief) -> Draft:
        self.calls += 1
        if self.failure:
            raise self.failure
        return Draft("Too short", ("Pip.",))


@pytest.fixture
def story(aws):
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    return SAMPLE_STORY_ID


@pytest.fixture
def providers(monkeypatch):
    chosen = {"painter": Counting(), "voice": Counting()}
    monkeypatch.setattr(illustrate, "painter", lambda *_: chosen["painter"])
    monkeypatch.setattr(narrate, "voice", lambda *_: chosen["voice"])
    return chosen


def test_story_created_twice_makes_one_picture_one_narration_and_one_email(
    aws, story, providers, lambda_context
) -> None:
    event = sample_event("story-created.json")
    for _ in range(2):
        illustrate.handler(event, lambda_context)
        narrate.handler(event, lambda_context)
    assert providers["painter"].calls == 1 and providers["voice"].calls == 1
    assert len(delivered(aws, "NotifyFunctionStoryReady")) == 1


FAULTS = {
    "timeout": ProviderError("timed out", retryable=True),
    "throttling": ProviderError("429 Too Many Requests", retryable=True),
    "server error": ProviderError("503", retryable=True),
    "refusal": ProviderError("content policy", retryable=False),
    "malformed output": ProviderError("no image data"),
    "s3 error": ClientError({"Error": {"Code": "InternalError"}}, "PutObject"),
    "a bug": ValueError("unexpected"),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("medium", ["painter", "voice"])
def test_every_media_fault_ends_failed_readable_and_emailed_once(
    aws, story, providers, lambda_context, fault, medium
) -> None:
    providers[medium] = Counting(FAULTS[fault])
    event = sample_event("story-created.json")
    illustrate.handler(event, lambda_context)
    narrate.handler(event, lambda_context)
    saved = services.story_store().get(story)
    statuses = {"painter": saved.image.status, "voice": saved.audio.status}
    assert statuses[medium] == "failed"
    assert set(statuses.values()) == {"failed", "done"}
    [email] = delivered(aws, "NotifyFunctionStoryReady")
    assert email["detail"]["image" if medium == "painter" else "audio"] == "failed"
    page = web.handler(
        function_url_event("GET", f"/stories/{story}", reader_cookie(), b"", "h", "1.2.3.4"),
        lambda_context,
    )
    assert page["statusCode"] == 200 and "peeked out" in page["body"]


def test_a_dynamodb_error_is_retried_by_lambda_and_still_ends_in_one_email(
    aws, story, providers, lambda_context, monkeypatch
) -> None:
    real = StoryStore.finish_medium
    failures = iter(
        [ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "UpdateItem")]
    )

    def flaky(self, *args, **kwargs):
        failure = next(failures, None)
        if failure:
            raise failure
        return real(self, *args, **kwargs)

    monkeypatch.setattr(StoryStore, "finish_medium", flaky)
    event = sample_event("story-created.json")
    with pytest.raises(ClientError):
        illustrate.handler(event, lambda_context)  # Lambda's async retry runs it again
    illustrate.handler(event, lambda_context)
    narrate.handler(event, lambda_context)
    assert services.story_store().get(story).image.status == "done"
    assert len(delivered(aws, "NotifyFunctionStoryReady")) == 1


@pytest.mark.parametrize("fault", ["refusal", "timeout"])
def test_a_failing_writer_still_gives_the_night_a_story(aws, lambda_context, monkeypatch, fault):
    services.catalog_store().replace("home", load_catalog())
    failing = Counting(FAULTS[fault])
    monkeypatch.setattr(create_story, "story_writer", lambda *_: failing)
    result = create_story.handler(sample_event("make-story.json"), lambda_context)
    saved = services.story_store().get(result["storyId"])
    assert failing.calls == 2 and saved.provider == "offline"


def test_a_short_draft_is_rewritten_then_replaced(aws, lambda_context, monkeypatch) -> None:
    services.catalog_store().replace("home", load_catalog())
    short = Counting()
    monkeypatch.setattr(create_story, "story_writer", lambda *_: short)
    result = create_story.handler(sample_event("make-story.json"), lambda_context)
    assert short.calls == 2
    assert len(services.story_store().get(result["storyId"]).text.split()) >= 200


def test_an_empty_catalog_is_a_clear_error_not_a_retry_loop(aws, lambda_context) -> None:
    result = create_story.handler(sample_event("make-story.json"), lambda_context)
    assert "make seed" in result["error"]
    assert saved_stories() == []


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        "text",
        {},
        {"detail": None},
        {"detail": {}},
        {"detail": {"storyId": 5}},
        {"detail": {"storyId": ""}},
    ],
)
@pytest.mark.parametrize("handler", [illustrate.handler, narrate.handler])
def test_malformed_story_created_events_are_refused_without_raising(
    aws, lambda_context, handler, event
) -> None:
    assert "error" in handler(event, lambda_context)
    assert delivered(aws, "NotifyFunctionStoryReady") == []


@pytest.mark.parametrize("event", [None, [], "text", {"trigger": "soon"}, {"trigger": "schedule"}])
def test_malformed_create_story_events_are_refused_without_raising(aws, lambda_context, event):
    assert "error" in create_story.handler(event, lambda_context)


FAR_OFF = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize("at", FAR_OFF)
def test_a_schedule_far_from_now_is_logged_once_and_dropped_writing_nothing(
    aws, lambda_context, logged, at
) -> None:
    """Given the writing queue delivers a schedule whose time is no night at all, the
    message is dropped (no batch failure, so no redelivery) with its reason logged once,
    and no story is written."""
    services.catalog_store().replace("home", load_catalog())
    body = json.dumps({"trigger": "schedule", "family": "home", "scheduledTime": at})
    batch = sample_event("writing-queue.json")
    batch["Records"][0]["body"] = body
    assert create_story.handler(batch, lambda_context) == {"batchItemFailures": []}
    assert "error" in create_story.handler(json.loads(body), lambda_context)
    assert saved_stories() == []
    reasons = [line for line in logged() if "malformed" in line["message"]]
    assert len(reasons) == 2 and all("ten years" in line["error"] for line in reasons)


@pytest.mark.parametrize("at", FAR_OFF)
def test_a_bedtime_far_from_now_is_refused_without_raising(aws, lambda_context, at) -> None:
    event = {"trigger": "bedtime", "family": "home", "scheduledTime": at}
    assert "ten years" in notify.handler(event, lambda_context)["error"]


def test_story_created_for_a_story_that_is_gone_is_dropped(aws, providers, lambda_context):
    result = illustrate.handler(sample_event("story-created.json"), lambda_context)
    assert result["image"] == "gone" and providers["painter"].calls == 0


def test_a_repeated_schedule_event_does_not_read_the_catalog_again(
    aws, lambda_context, monkeypatch
):
    services.catalog_store().replace("home", load_catalog())
    first = create_story.handler(sample_event("schedule.json"), lambda_context)

    def no_second_read():
        raise AssertionError("the catalog was read for a delivery already handled")

    monkeypatch.setattr(services.catalog_store(), "load", no_second_read)
    assert create_story.handler(sample_event("schedule.json"), lambda_context) == first
