"""Every file in events/ drives what it is for, as `sam local invoke -e` would."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from bedtime import services
from bedtime.core.events import StoryCreated, StoryReady
from bedtime.handlers import (
    create_story,
    email_events,
    families,
    illustrate,
    narrate,
    notify,
    tick,
    web,
)
from bedtime.records.catalog import load_catalog
from bedtime.records.families import Family
from bedtime.records.stories import Medium
from bedtime_local.pipe import LocalPipe
from bedtime_local.stack import LocalStack
from helpers import (
    EVENTS,
    SAMPLE_STORY_ID,
    delivered,
    emails,
    home_family,
    sample_event,
    saved_stories,
    story_record,
)

SCHEMA = json.loads((EVENTS / "schema.json").read_text())
USED = {
    "schedule.json",
    "make-story.json",
    "story-created.json",
    "story-ready.json",
    "stream-insert.json",
    "stream-modify.json",
    "stream-remove.json",
    "web-home.json",
    "web-story.json",
    "web-story-json.json",
    "web-missing-story.json",
    "web-feed.json",
    "bedtime.json",
    "writing-queue.json",
    "painting-queue.json",
    "families-stream-insert.json",
    "bedtime-queue.json",
    "tick.json",
    "ses-bounce.json",
}


def test_every_sample_event_is_used_here() -> None:
    assert {path.name for path in EVENTS.glob("*.json")} == USED | {"schema.json"}


@pytest.mark.parametrize("name", ["story-created.json", "story-ready.json"])
def test_our_sample_events_match_the_published_schema(name) -> None:
    jsonschema.validate(sample_event(name), SCHEMA)


@pytest.mark.parametrize("event", [StoryCreated, StoryReady])
def test_the_schema_lists_exactly_the_fields_of_our_event_types(event) -> None:
    definition = SCHEMA["$defs"][event.detail_type]
    wanted = {f.name for f in dataclasses.fields(event)}
    assert set(definition["properties"]) == set(definition["required"]) == wanted
    for example in definition["examples"]:
        assert event.from_detail(example)


def test_the_schema_refuses_a_detail_that_breaks_the_contract() -> None:
    event = sample_event("story-ready.json")
    event["detail"]["image"] = "painting"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(event, SCHEMA)


def stories_in_table() -> list:
    return saved_stories()


@pytest.mark.parametrize("name", ["schedule.json", "make-story.json"])
def test_create_story_event_makes_one_story_even_when_delivered_twice(
    aws: LocalStack, lambda_context, name: str
) -> None:
    services.catalog_store().replace("home", load_catalog())
    first = create_story.handler(sample_event(name), lambda_context)
    second = create_story.handler(sample_event(name), lambda_context)
    assert first == second
    [story] = stories_in_table()
    assert story.id == first["storyId"]
    assert len(story.text.split()) >= 200


def test_schedule_event_names_the_night_in_the_family_time_zone(aws, lambda_context) -> None:
    services.catalog_store().replace("home", load_catalog())
    result = create_story.handler(sample_event("schedule.json"), lambda_context)
    assert result["night"] == "2026-11-25"


def test_story_created_event_drives_illustrate_and_narrate_then_one_story_ready(
    aws: LocalStack, lambda_context
) -> None:
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    event = sample_event("story-created.json")
    assert illustrate.handler(event, lambda_context) == {
        "storyId": SAMPLE_STORY_ID,
        "image": "done",
    }
    assert delivered(aws, "NotifyFunctionStoryReady") == []
    assert narrate.handler(event, lambda_context) == {"storyId": SAMPLE_STORY_ID, "audio": "done"}
    narrate.handler(event, lambda_context)
    [ready] = delivered(aws, "NotifyFunctionStoryReady")
    assert ready["detail"] == {
        "storyId": SAMPLE_STORY_ID,
        "title": "Pip and Luna in the Whispering Woods",
        "url": event["detail"]["url"],
        "image": "done",
        "audio": "done",
    }


def test_the_painting_queues_batch_drives_illustrate(aws, lambda_context) -> None:
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    assert illustrate.handler(sample_event("painting-queue.json"), lambda_context) == {
        "batchItemFailures": []
    }
    assert services.story_store().get(SAMPLE_STORY_ID).image.status == "done"


def test_the_writing_queues_batch_drives_create_story(aws, lambda_context) -> None:
    services.catalog_store().replace("home", load_catalog())
    result = create_story.handler(sample_event("writing-queue.json"), lambda_context)
    assert result == {"batchItemFailures": []}
    [story] = stories_in_table()
    assert story.deliver_at == datetime(2026, 11, 25, 19, 15, tzinfo=UTC)  # bedtime


def test_story_ready_sample_matches_our_event_type() -> None:
    ready = StoryReady.from_detail(sample_event("story-ready.json")["detail"])
    assert (ready.storyId, ready.image, ready.audio) == (SAMPLE_STORY_ID, "done", "failed")
    created = StoryCreated.from_detail(sample_event("story-created.json")["detail"])
    assert created.characters == ["Pip", "Luna"]


def ready_story(deliver_at: datetime | None = None) -> None:
    home_family()
    store = services.story_store()
    store.add(replace(story_record(SAMPLE_STORY_ID), deliver_at=deliver_at))
    for medium in ("image", "audio"):
        store.finish_medium(SAMPLE_STORY_ID, medium, Medium("done", key=f"k-{medium}"))
    store.claim_ready(SAMPLE_STORY_ID, datetime.now(UTC))


def test_story_ready_becomes_the_familys_one_email(aws, lambda_context) -> None:
    ready_story()
    event = sample_event("story-ready.json")
    assert notify.handler(event, lambda_context)["emailed"] is True
    assert notify.handler(event, lambda_context)["emailed"] is False  # never twice
    [email] = emails()
    assert email.family == "home" and "Pip and Luna in the Whispering Woods" in email.body
    assert email.link.startswith(
        "https://example.lambda-url.on.aws/stories/Qm9vdHN0cmFwU3RvcnkxMjM?t="
    )
    assert not email.late


def test_the_bedtime_queues_batch_drives_notify(aws, lambda_context) -> None:
    event = sample_event("bedtime-queue.json")
    assert notify.handler(event, lambda_context) == {"batchItemFailures": []}
    assert emails() == []  # not written yet
    ready_story(deliver_at=datetime(2026, 11, 25, 19, 15, tzinfo=UTC))
    assert notify.handler(event, lambda_context) == {"batchItemFailures": []}
    [email] = emails()
    assert email.story_id == SAMPLE_STORY_ID


def test_the_tick_sends_the_home_familys_make_time(aws, lambda_context) -> None:
    """events/tick.json is 16:15 UTC: three hours before the home family's 19:15 London
    bedtime, its make time."""
    services.family_store().save(Family.home(services.settings()))
    services.tick_state().add_zone("Europe/London")
    assert tick.handler(sample_event("tick.json"), lambda_context) == {
        "scheduledTime": "2026-11-25T16:15:00Z",
        "sent": 1,
    }
    sqs, url = services.client("sqs"), aws.resolver.names["WritingQueue"]
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    body = json.loads(sample_event("writing-queue.json")["Records"][0]["body"])
    assert json.loads(message["Body"]) == body


def test_bedtime_sends_tonights_story_when_it_is_ready(aws, lambda_context) -> None:
    assert notify.handler(sample_event("bedtime.json"), lambda_context)["emailed"] is False
    ready_story(deliver_at=datetime(2026, 11, 25, 19, 15, tzinfo=UTC))
    assert notify.handler(sample_event("bedtime.json"), lambda_context)["emailed"] is True
    [email] = emails()
    assert email.story_id == SAMPLE_STORY_ID


def test_a_bedtime_after_the_email_went_sends_nothing_and_warns_of_nothing(
    aws, lambda_context, caplog
) -> None:
    """A `make run` start emails tonight's story the moment it is ready: the family's
    bedtime then finds it sent, which is as it should be, not a warning."""
    ready_story(deliver_at=datetime(2026, 11, 25, 19, 15, tzinfo=UTC))
    assert notify.handler(sample_event("bedtime.json"), lambda_context)["emailed"] is True
    caplog.clear()
    assert notify.handler(sample_event("bedtime.json"), lambda_context)["emailed"] is False
    assert len(emails()) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_familys_change_on_the_stream_tells_the_tick(aws, lambda_context):
    result = families.handler(sample_event("families-stream-insert.json"), lambda_context)
    assert result == {"batchItemFailures": []}
    assert services.tick_state().zones() == ["Europe/Madrid"]


def test_an_ses_bounce_suppresses_the_address_in_its_family(aws, lambda_context) -> None:
    home_family("parent@example.com", "bounced@example.com")
    result = email_events.handler(sample_event("ses-bounce.json"), lambda_context)
    assert result == {"suppressed": ["bounced@example.com"]}
    assert services.family_store().get("home").suppressed == {"bounced@example.com"}


def test_the_ses_bounce_reaches_its_function_by_the_templates_rule(aws) -> None:
    """The rule on the default bus (SES's events come nowhere else) matches the sample."""
    [rule] = [r for r in aws.rules if r.target == "EmailEventsFunction"]
    assert rule.bus == "default"
    services.client("events").put_events(
        Entries=[
            {
                "Source": "aws.ses",
                "DetailType": "Email Bounced",
                "Detail": json.dumps(sample_event("ses-bounce.json")["detail"]),
            }
        ]
    )
    [event] = delivered(aws, "EmailEventsFunction")
    assert event["detail"]["bounce"]["bounceType"] == "Permanent"


def changed_on_the_stream(event_name: str, old: dict | None, new: dict | None) -> dict:
    """The sample families-stream record, as a MODIFY or REMOVE of the family."""
    event = sample_event("families-stream-insert.json")
    change = event["Records"][0]
    change["eventName"] = event_name
    change["dynamodb"].pop("NewImage")
    change["dynamodb"] |= {"OldImage": old} if old else {}
    change["dynamodb"] |= {"NewImage": new} if new else {}
    return event


def test_a_family_moved_readdressed_and_removed_on_the_stream_keeps_within_its_role(
    aws, lambda_context
):
    """The aws fixture's IAM audit judges every call made here (the Tick table's zones,
    the writing queue for a family that arrives late); an address changing asks nothing
    of AWS: the next email goes to the family's addresses as listed then."""
    inserted = sample_event("families-stream-insert.json")
    assert families.handler(inserted, lambda_context) == {"batchItemFailures": []}
    before = inserted["Records"][0]["dynamodb"]["NewImage"]
    after = before | {"bedtime": {"S": "21:00"}, "emails": {"L": [{"S": "nan2@example.com"}]}}
    moved = families.handler(changed_on_the_stream("MODIFY", before, after), lambda_context)
    assert moved == {"batchItemFailures": []}
    removed = families.handler(changed_on_the_stream("REMOVE", after, None), lambda_context)
    assert removed == {"batchItemFailures": []}
    assert services.tick_state().zones() == ["Europe/Madrid"]


@pytest.mark.parametrize(
    ("name", "forwarded"),
    [("stream-insert.json", True), ("stream-modify.json", False), ("stream-remove.json", False)],
)
def test_stream_events_through_the_template_pipe(
    aws: LocalStack, template, name, forwarded
) -> None:
    pipe = LocalPipe.from_template(template, aws.resolver, "StoryPipe")
    record = sample_event(name)
    assert pipe.admits(record) is forwarded
    if forwarded:
        assert pipe.transform(record) == {
            "storyId": SAMPLE_STORY_ID,
            "night": "2026-11-25",
            "title": "Pip and Luna in the Whispering Woods",
            "characters": ["Pip", "Luna"],
            "scene": "the Whispering Woods",
            "url": f"https://example.lambda-url.on.aws/stories/{SAMPLE_STORY_ID}",
        }


@pytest.mark.parametrize(
    ("name", "status", "content_type", "expected"),
    [
        ("web-home.json", 200, "text/html", "Pip and Luna in the Whispering Woods"),
        ("web-story.json", 200, "text/html", "<h1>"),
        ("web-story-json.json", 200, "application/json", '"id": "Qm9vdHN0cmFwU3RvcnkxMjM"'),
        ("web-missing-story.json", 404, "text/html", "Story not found"),
        ("web-feed.json", 200, "application/rss+xml", "<rss"),
    ],
)
def test_web_events_on_a_public_site(
    aws, lambda_context, monkeypatch, name, status, content_type, expected
) -> None:
    monkeypatch.setenv("PRIVACY", "public")
    services.clear()
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    response = web.handler(sample_event(name), lambda_context)
    assert response["statusCode"] == status
    assert response["headers"]["Content-Type"].startswith(content_type)
    assert expected in response["body"]


def test_sample_events_are_valid_json_objects() -> None:
    for path in Path(EVENTS).glob("*.json"):
        assert isinstance(json.loads(path.read_text()), dict), path.name


@pytest.mark.parametrize("name", sorted(n for n in USED if n.startswith("web-")))
def test_web_events_on_a_private_site_get_the_private_page(aws, lambda_context, name) -> None:
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    response = web.handler(sample_event(name), lambda_context)
    assert response["statusCode"] == 401
    assert "Whispering Woods" not in response["body"]
