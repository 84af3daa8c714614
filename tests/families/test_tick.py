"""The template's one schedule: every minute, TickFunction sends each family whose make
time or bedtime has come its work, found by key queries, caught up after a missed tick,
never twice; and a family seeded half an hour before bedtime still gets tonight's story."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import boto3
import pytest

from bedtime import services
from bedtime.core import clock
from bedtime.handlers import create_story, families, notify, tick
from bedtime.records.catalog import load_catalog
from bedtime.records.families import Family
from bedtime.records.stories import Medium
from helpers import emails, sample_event, saved_stories

NAN = Family("nan", ZoneInfo("Europe/Madrid"), bedtime=datetime(2026, 1, 1, 20, 0).time())
LEO = Family("leo", ZoneInfo("America/Chicago"), bedtime=datetime(2026, 1, 1, 19, 0).time())
# 25 November 2026: Madrid is UTC+1, Chicago UTC-6. Lead: the template's 3 hours.
NAN_MAKES, NAN_BEDTIME = "2026-11-25T16:00:00Z", "2026-11-25T19:00:00Z"
LEO_MAKES = "2026-11-25T22:00:00Z"


def at(stamp: str) -> dict:
    return {"trigger": "tick", "scheduledTime": stamp}


def seeded(*family_list: Family) -> None:
    for family in family_list:
        services.family_store().save(family)
        services.tick_state().add_zone(family.time_zone.key)


def drained(aws, queue: str) -> list[dict]:
    sqs, url = services.client("sqs"), aws.resolver.names[queue]
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


@pytest.fixture
def no_scans():
    """The tick finds families by key queries only: a Scan fails the test."""

    def refuse(**_):
        raise AssertionError("the tick scanned a table")

    events = boto3._get_default_session().events
    events.register("before-call.dynamodb.Scan", refuse, unique_id="no-scans")
    yield
    events.unregister("before-call.dynamodb.Scan", unique_id="no-scans")


def test_each_family_gets_its_make_time_and_bedtime_in_its_own_zone(
    aws, lambda_context, no_scans
) -> None:
    seeded(NAN, LEO)
    assert tick.handler(at("2026-11-25T15:59:00Z"), lambda_context)["sent"] == 0
    assert tick.handler(at(NAN_MAKES), lambda_context)["sent"] == 1
    assert drained(aws, "WritingQueue") == [
        {"trigger": "schedule", "family": "nan", "scheduledTime": NAN_MAKES}
    ]
    tick.handler(at(NAN_BEDTIME), lambda_context)
    assert drained(aws, "BedtimeQueue") == [
        {"trigger": "bedtime", "family": "nan", "scheduledTime": NAN_BEDTIME}
    ]
    tick.handler(at(LEO_MAKES), lambda_context)
    assert [m["family"] for m in drained(aws, "WritingQueue")] == ["leo"]


def test_a_missed_tick_is_caught_up_by_the_next_and_nothing_is_sent_twice(
    aws, lambda_context
) -> None:
    seeded(NAN)
    tick.handler(at("2026-11-25T15:50:00Z"), lambda_context)
    # the ticks of 15:51 to 16:04 failed or never ran
    assert tick.handler(at("2026-11-25T16:05:00Z"), lambda_context)["sent"] == 1
    assert drained(aws, "WritingQueue") == [
        {"trigger": "schedule", "family": "nan", "scheduledTime": NAN_MAKES}
    ]
    # a late retry of the 16:00 tick, and the 16:05 one again: all covered already
    assert tick.handler(at(NAN_MAKES), lambda_context)["sent"] == 0
    assert tick.handler(at("2026-11-25T16:05:00Z"), lambda_context)["sent"] == 0
    assert drained(aws, "WritingQueue") == []


def test_a_long_outage_is_caught_up_for_six_hours_only(aws, lambda_context) -> None:
    seeded(NAN)
    tick.handler(at("2026-11-24T12:00:00Z"), lambda_context)
    tick.handler(at("2026-11-26T00:00:00Z"), lambda_context)
    assert drained(aws, "WritingQueue") == []  # 16:00 is more than six hours back
    assert drained(aws, "BedtimeQueue") == [
        {"trigger": "bedtime", "family": "nan", "scheduledTime": NAN_BEDTIME}
    ]


def test_a_family_that_moves_its_bedtime_is_found_at_the_new_one(aws, lambda_context) -> None:
    seeded(NAN)
    services.family_store().save(replace(NAN, bedtime=NAN.bedtime.replace(hour=21)))
    tick.handler(at(NAN_MAKES), lambda_context)
    assert drained(aws, "WritingQueue") == []
    tick.handler(at("2026-11-25T17:00:00Z"), lambda_context)
    assert [m["scheduledTime"] for m in drained(aws, "WritingQueue")] == ["2026-11-25T17:00:00Z"]


def test_a_malformed_tick_is_dropped_with_its_reason(aws, lambda_context) -> None:
    assert "error" in tick.handler({"trigger": "tick"}, lambda_context)
    assert "error" in tick.handler({"scheduledTime": NAN_MAKES}, lambda_context)
    assert services.tick_state().covered() is None


def test_seeded_half_an_hour_before_bedtime_tonights_story_still_comes(
    aws, lambda_context, monkeypatch
) -> None:
    """A family first written to the Families table at 18:30 UTC, its make time (16:00)
    long past: FamiliesFunction asks for tonight's story at once, CreateStory makes it
    for tonight's bedtime, and the 19:00 tick's bedtime sends the one email."""
    now = [datetime(2026, 11, 25, 18, 30, tzinfo=UTC)]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    services.catalog_store().replace("nan", load_catalog())  # `make seed` writes it first
    inserted = sample_event("families-stream-insert.json")
    assert families.handler(inserted, lambda_context) == {"batchItemFailures": []}
    [make] = drained(aws, "WritingQueue")
    assert make == {"trigger": "schedule", "family": "nan", "scheduledTime": NAN_MAKES}
    services.family_store().save(NAN)
    created = create_story.handler(make, lambda_context)
    [story] = saved_stories()
    assert story.id == created["storyId"] and story.family == "nan"
    assert story.deliver_at == datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    # the same make from the tick (its 16:00 window is long gone, but a retry could): once
    assert create_story.handler(make, lambda_context)["storyId"] == story.id
    assert len(saved_stories()) == 1
    store = services.story_store()
    for medium in ("image", "audio"):
        store.finish_medium(story.id, medium, Medium("done", key=f"k-{medium}"))
    store.claim_ready(story.id, now[0])
    now[0] = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    tick.handler(at(NAN_BEDTIME), lambda_context)
    [bedtime] = drained(aws, "BedtimeQueue")
    queued = sample_event("bedtime-queue.json")
    queued["Records"][0]["body"] = json.dumps(bedtime)
    assert notify.handler(queued, lambda_context) == {"batchItemFailures": []}
    [email] = emails()
    assert (email.family, email.story_id, email.late) == ("nan", story.id, False)


def test_the_tick_sends_at_most_ten_messages_a_batch(aws, lambda_context) -> None:
    """Amazon SQS API Reference, "SendMessageBatch": at most 10 messages a request (moto
    takes more). Twenty-three families with one bedtime go in batches of 10, 10 and 3."""
    batches: list[int] = []

    def count(params, **_):
        batches.append(len(params["Entries"]))

    events = boto3._get_default_session().events
    events.register("provide-client-params.sqs.SendMessageBatch", count, unique_id="batches")
    try:
        seeded(*(replace(NAN, id=f"nan-{n}") for n in range(23)))
        assert tick.handler(at(NAN_MAKES), lambda_context)["sent"] == 23
    finally:
        events.unregister("provide-client-params.sqs.SendMessageBatch", unique_id="batches")
    assert batches == [10, 10, 3]
    assert len(drained(aws, "WritingQueue")) == 23
