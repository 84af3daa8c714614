"""The local run's readings of template.yaml: schedule, pipe template, rules, environment."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bedtime.local.functions import environment
from bedtime.local.pipe import LocalPipe, render_input_template
from bedtime.local.scheduler import LocalSchedule, LocalScheduler, read_schedule
from bedtime.local.stack import declared_rules
from bedtime.local.template import template_resolver
from helpers import AnyAttributes, sample_event


def schedule(cron: str, zone: str) -> LocalSchedule:
    described = {
        "Name": "nan-make",
        "ScheduleExpression": cron,
        "ScheduleExpressionTimezone": zone,
        "Target": {"Arn": "arn:aws:sqs:us-east-1:1:WritingQueue", "Input": INPUT},
    }
    found = read_schedule(described)
    assert found is not None
    return found


INPUT = (
    '{"trigger": "schedule", "family": "nan", "scheduledTime": "<aws.scheduler.scheduled-time>"}'
)


def test_a_family_schedule_fires_at_its_time_in_its_time_zone() -> None:
    nightly = schedule("cron(15 19 * * ? *)", "America/New_York")
    fire = nightly.next_after(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert fire == datetime(2026, 11, 26, 0, 15, tzinfo=UTC)
    assert nightly.next_after(fire) == datetime(2026, 11, 27, 0, 15, tzinfo=UTC)
    assert nightly.event(fire) == {
        "trigger": "schedule",
        "family": "nan",
        "scheduledTime": "2026-11-26T00:15:00Z",
    }


def test_a_family_schedule_keeps_local_time_across_a_daylight_saving_change() -> None:
    early = schedule("cron(5 7 * * ? *)", "Europe/London")
    summer = early.next_after(datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    winter = early.next_after(datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
    assert (summer.hour, winter.hour) == (6, 7)  # 07:05 local both times, in UTC


def test_the_local_scheduler_fires_each_schedule_once_per_passing_of_its_time() -> None:
    fired: list[tuple[str, dict]] = []
    clock = [datetime(2026, 11, 25, 18, 0, tzinfo=UTC)]

    class Scheduler:
        def get_paginator(self, name):
            return self

        def paginate(self, **_):
            return [{"Schedules": [{"Name": "nan-make"}]}]

        def get_schedule(self, **_):
            return {
                "Name": "nan-make",
                "ScheduleExpression": "cron(15 19 * * ? *)",
                "ScheduleExpressionTimezone": "Europe/London",
                "Target": {"Arn": "arn:q", "Input": INPUT},
            }

    local = LocalScheduler(
        Scheduler(), "g", lambda arn, event: fired.append((arn, event)), lambda: clock[0]
    )
    local.tick()
    clock[0] = datetime(2026, 11, 25, 19, 14, tzinfo=UTC)
    local.tick()
    assert fired == []
    clock[0] = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)  # two nights pass between ticks
    local.tick()
    assert [event["scheduledTime"] for _, event in fired] == [
        "2026-11-25T19:15:00Z",
        "2026-11-26T19:15:00Z",
        "2026-11-27T19:15:00Z",
    ]


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
    resolver.attributes = AnyAttributes()
    rules = {rule.name: rule for rule in declared_rules(template, resolver)}
    assert {rule.target for rule in rules.values()} == {
        "PaintingQueue",
        "NarratingQueue",
        "NotifyFunction",
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
