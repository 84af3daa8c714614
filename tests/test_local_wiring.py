"""The local run's readings of template.yaml: schedule, pipe template, rules, environment."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bedtime.local.functions import environment
from bedtime.local.pipe import LocalPipe, render_input_template
from bedtime.local.schedule import nightly_schedule
from bedtime.local.stack import declared_rules
from bedtime.local.template import template_resolver
from helpers import sample_event


def test_schedule_fires_at_story_time_in_the_family_time_zone(template) -> None:
    schedule = nightly_schedule(
        template,
        template_resolver(template, {"StoryTime": "19:15", "StoryTimeZone": "America/New_York"}),
    )
    fire = schedule.next_after(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2026, 11, 26, 0, 15, tzinfo=UTC)
    after = schedule.next_after(datetime(2026, 11, 26, 0, 16, tzinfo=UTC))
    assert after.astimezone(UTC) == datetime(2026, 11, 27, 0, 15, tzinfo=UTC)
    event = json.loads(schedule.event(fire))
    assert event == {"trigger": "schedule", "scheduledTime": "2026-11-26T00:15:00Z"}


def test_schedule_keeps_local_time_across_a_daylight_saving_change(template) -> None:
    schedule = nightly_schedule(
        template,
        template_resolver(template, {"StoryTime": "07:05", "StoryTimeZone": "Europe/London"}),
    )
    summer = schedule.next_after(datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    winter = schedule.next_after(datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
    assert (summer.hour, winter.hour) == (7, 7)
    assert summer.astimezone(UTC).hour == 6 and winter.astimezone(UTC).hour == 7


def test_input_template_escapes_quotes_and_backslashes_inside_strings() -> None:
    record = {
        "dynamodb": {
            "NewImage": {
                "title": {"S": 'The "Moon" \\ me'},
                "tags": {"L": [{"S": "a"}, {"S": "b"}]},
            }
        }
    }
    text = render_input_template(
        '{"title": "<$.dynamodb.NewImage.title.S>", "tags": <$.dynamodb.NewImage.tags.L[*].S>}',
        record,
    )
    assert json.loads(text) == {"title": 'The "Moon" \\ me', "tags": ["a", "b"]}


def test_pipe_needs_every_field_it_promises(template) -> None:
    resolver = template_resolver(template, {})
    resolver.names["StoryBus"] = "bus"
    resolver.attributes.update(
        {
            "StoriesTable.StreamArn": "arn:stream",
            "StoryBus.Arn": "arn:bus",
            "WebFunctionUrl.FunctionUrl": "https://site/",
        }
    )
    detail = LocalPipe.from_template(template, resolver, "StoryPipe").transform(
        sample_event("stream-insert.json")
    )
    assert set(detail) == {"storyId", "night", "title", "characters", "scene", "url"}
    assert detail["url"].startswith("https://site/stories/")


def test_rules_and_environment_come_from_the_template(template) -> None:
    resolver = template_resolver(template, {})
    resolver.names.update({name: name for name in template["Resources"]})
    rules = {rule.name: rule for rule in declared_rules(template, resolver)}
    assert {rule.target for rule in rules.values()} == {
        "IllustrateFunction",
        "NarrateFunction",
        "StoryTopic",
    }
    env = environment(template, resolver)
    assert env["STORIES_TABLE"] == "StoriesTable" and env["STORY_TIME_ZONE"] == "Europe/London"


@pytest.mark.parametrize(
    ("pattern", "event", "matches"),
    [
        ({"eventName": ["INSERT"]}, {"eventName": "INSERT"}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "MODIFY"}, False),
        ({"eventName": [{"prefix": "INS"}]}, {"eventName": "INSERT"}, True),
        ({"eventName": [{"anything-but": ["REMOVE"]}]}, {"eventName": "MODIFY"}, True),
        ({"eventName": [{"anything-but": ["REMOVE"]}]}, {"eventName": "REMOVE"}, False),
        ({"dynamodb": {"NewImage": {"id": [{"exists": True}]}}}, {"dynamodb": {}}, False),
        ({"n": [{"numeric": [">", 5]}]}, {"n": 6}, True),
        ({"n": [{"numeric": [">", 5]}]}, {"n": 5}, False),
    ],
)
def test_moto_event_patterns_still_match_as_eventbridge_does(pattern, event, matches) -> None:
    """The local pipe leans on moto's internal EventPattern (see bedtime.local.pipe): the
    EventBridge user guide's "Content filtering in Amazon EventBridge event patterns"
    says what each of these must do."""
    from moto.events.models import EventPattern

    assert EventPattern.load(json.dumps(pattern)).matches_event(event) is matches
