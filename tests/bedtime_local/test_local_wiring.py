"""The local run's readings of template.yaml: the tick, pipe template, rules, environment."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bedtime_local.functions import environment
from bedtime_local.pipe import LocalPipe, render_input_template
from bedtime_local.scheduler import LocalSchedule, LocalScheduler, template_schedules
from bedtime_local.stack import declared_rules
from bedtime_local.template import TemplateError, template_resolver
from helpers import AnyAttributes, sample_event


def schedule(cron: str, zone: str = "UTC") -> LocalSchedule:
    function = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Events": {
                "Tick": {
                    "Type": "ScheduleV2",
                    "Properties": {
                        "ScheduleExpression": cron,
                        "ScheduleExpressionTimezone": zone,
                        "Input": INPUT,
                    },
                }
            }
        },
    }
    (found,) = template_schedules({"Resources": {"TickFunction": function}})
    return found


INPUT = '{"trigger": "tick", "scheduledTime": "<aws.scheduler.scheduled-time>"}'


def test_the_template_declares_one_tick_and_the_local_run_reads_it(template) -> None:
    (tick,) = [s for s in template_schedules(template) if s.function == "TickFunction"]
    assert (tick.function, tick.minutes, tick.hours, tick.zone.key) == (
        "TickFunction",
        "*",
        "*",
        "UTC",
    )
    fired = datetime(2026, 11, 26, 0, 15, tzinfo=UTC)
    assert tick.event(fired) == {"trigger": "tick", "scheduledTime": "2026-11-26T00:15:00Z"}


def test_a_cron_fires_at_each_matching_minute_on_its_own_clock() -> None:
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    every_minute = schedule("cron(* * * * ? *)")
    assert len(every_minute.fires_between(start, start + timedelta(minutes=5))) == 5
    quarter = schedule("cron(0/15 * * * ? *)")
    assert [f.minute for f in quarter.fires_between(start, start + timedelta(hours=1))] == [
        15,
        30,
        45,
        0,
    ]
    nightly = schedule("cron(15 19 * * ? *)", "America/New_York")
    assert nightly.fires_between(start, start + timedelta(days=1)) == [
        datetime(2026, 11, 26, 0, 15, tzinfo=UTC)
    ]


def test_a_rate_fires_on_its_multiples_of_the_epoch() -> None:
    weekly = schedule("rate(7 days)")
    start = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    fired = weekly.fires_between(start, start + timedelta(days=14))
    assert len(fired) == 2 and fired[1] - fired[0] == timedelta(days=7)


def test_the_local_run_refuses_a_cron_it_cannot_follow() -> None:
    with pytest.raises(TemplateError, match="daily"):
        schedule("cron(0 8 ? * MON *)")


def test_the_local_scheduler_fires_every_minute_passed_since_its_last_call() -> None:
    fired: list[tuple[str, dict]] = []
    clock = [datetime(2026, 11, 25, 18, 0, 30, tzinfo=UTC)]
    local = LocalScheduler(
        [schedule("cron(* * * * ? *)")],
        lambda name, event: fired.append((name, event)),
        lambda: clock[0],
    )
    local.tick()
    assert fired == []
    clock[0] = datetime(2026, 11, 25, 18, 3, 10, tzinfo=UTC)
    local.tick()
    local.tick()
    assert [(name, event["scheduledTime"]) for name, event in fired] == [
        ("TickFunction", "2026-11-25T18:01:00Z"),
        ("TickFunction", "2026-11-25T18:02:00Z"),
        ("TickFunction", "2026-11-25T18:03:00Z"),
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
    """The local pipe leans on moto's internal EventPattern (see bedtime_local.pipe): the
    EventBridge user guide's "Content filtering in Amazon EventBridge event patterns"
    says what each of these must do."""
    from moto.events.models import EventPattern

    assert EventPattern.load(json.dumps(pattern)).matches_event(event) is matches
