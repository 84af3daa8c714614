"""Many families on one deployment: the catalog file, the Families table, the tick and
one email per family per night to its own
addresses only, throttles that wait their turn, and no family reading another's."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import boto3
import pytest

from bedtime import services
from bedtime.core import clock
from bedtime.core.access import SESSION_COOKIE
from bedtime.delivery.nightly_email import Household, deliver, picture_of
from bedtime.families.family_changes import follow
from bedtime.families.family_file import load_families, parse_families
from bedtime.handlers import create_story, illustrate, narrate, notify, web
from bedtime.handlers.queue import backoff_seconds
from bedtime.providers import Narration, ProviderError
from bedtime.records.catalog import CatalogError
from bedtime.records.families import Family, family_from, home_from_parameters
from bedtime.records.stories import Medium
from bedtime.records.story_store import story_item
from bedtime_local.function_url import function_url_event
from bedtime_tools.target import Target
from helpers import delivered, emails, sample_event, saved_stories, story_record

HOME = Family("home", ZoneInfo("Europe/London"), emails=("parent@example.com",))
PAIR = [
    {"name": "Pip", "description": "a small brave hedgehog"},
    {"name": "Luna", "description": "a wise old owl"},
]
SCENE = [{"name": "Moonlit Bay", "description": "a calm beach"}]
FILE = {
    "families": [
        {
            "id": "nan",
            "name": "Nan's",
            "timeZone": "Europe/Madrid",
            "bedtime": "20:00",
            "listenerAge": 6,
            "emails": ["nan@example.com", "shared@example.com"],
            "characters": PAIR,
            "scenes": SCENE,
        },
        {
            "id": "leo",
            "timeZone": "America/Chicago",
            "bedtime": "19:00",
            "emails": ["leo@example.com", "shared@example.com"],
            "characters": PAIR,  # the same names as Nan's: the families stay apart
            "scenes": SCENE,
        },
    ]
}


# --- the catalog file ---------------------------------------------------------------
def test_a_file_of_families_gives_each_its_own_settings_and_catalog() -> None:
    nan, leo = parse_families(FILE, HOME)
    assert (nan.family.id, nan.family.time_zone.key, nan.family.listener_age) == (
        "nan",
        "Europe/Madrid",
        6,
    )
    assert nan.family.bedtime.strftime("%H:%M") == "20:00"
    assert leo.family.name == "leo" and leo.family.listener_age == HOME.listener_age
    assert [c.name for c in leo.catalog.characters] == ["Pip", "Luna"]


def test_a_one_family_file_is_the_home_family_as_the_deployment_sets_it_up() -> None:
    [home] = parse_families({"characters": PAIR, "scenes": SCENE}, HOME)
    assert home.family == HOME


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "Nan!"}, 'families[0], the family number 1 ("Nan!"): "id" must be'),
        ({"timeZone": "Mars/Base"}, "\"timeZone\" 'Mars/Base' is not an IANA time zone"),
        ({"timeZone": "Europe/Pari"}, "Did you mean Europe/Paris"),
        ({"bedtime": "25:00"}, "\"bedtime\" '25:00' is not a time"),
        ({"bedtime": "7pm"}, "\"bedtime\" '7pm' is not a time"),
        ({"bedtime": "19.15"}, "\"bedtime\" '19.15' is not a time"),
        ({"listenerAge": 12}, '"listenerAge" must be a number from 3 to 8'),
        ({"emails": ["not an address"]}, "is not an email address"),
        ({"language": "xx"}, "\"language\" 'xx' is not one of"),
        ({"characters": PAIR[:1]}, '("nan"): "characters" must be a list of at least 2'),
        ({"scenes": []}, '"scenes" must be a list of at least one entry'),
    ],
)
def test_a_bad_family_is_refused_with_where_and_what(change, message) -> None:
    bad = {"families": [{**FILE["families"][0], **change}, FILE["families"][1]]}
    with pytest.raises(CatalogError) as error:
        parse_families(bad, HOME)
    assert message in str(error.value)


def test_two_families_with_one_id_are_refused() -> None:
    twice = {"families": [FILE["families"][0], {**FILE["families"][1], "id": "nan"}]}
    with pytest.raises(CatalogError, match='the id "nan" appears twice'):
        parse_families(twice, HOME)


ROSIE = {
    "id": "rosie",
    "timeZone": "America/New_York",
    "bedtime": "19:30",
    "emails": ["rosie@example.com"],
    "characters": PAIR,
    "scenes": SCENE,
}


def test_one_family_object_is_that_family_not_home() -> None:
    [rosie] = parse_families(ROSIE, HOME)
    assert (rosie.family.id, rosie.family.time_zone.key) == ("rosie", "America/New_York")
    assert rosie.family.emails == ("rosie@example.com",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({k: v for k, v in ROSIE.items() if k != "id"}, 'without an "id": is this one family?'),
        ({**FILE, "characters": PAIR}, 'a file with "families" holds nothing else'),
        ({**ROSIE, "bedTime": "19:00"}, '"bedTime" is not a family\'s field'),
    ],
)
def test_an_ambiguous_family_file_is_refused_with_what_to_write(data, message) -> None:
    with pytest.raises(CatalogError) as error:
        parse_families(data, HOME)
    assert message in str(error.value)
    assert '{"id": "rosie"' in str(error.value) or "they are" in str(error.value)


@pytest.mark.parametrize("field", ["name", "seriesHero"])
@pytest.mark.parametrize(("text", "code"), [("\u001b[31mRED\u0007", "001B"), ("Ro\ud800", "D800")])
def test_every_text_field_of_a_family_refuses_controls_and_lone_surrogates(
    field, text, code
) -> None:
    with pytest.raises(CatalogError, match=f'the family: "{field}" holds .* U\\+{code}'):
        parse_families({**ROSIE, field: text}, HOME)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xef\xbb\xbf" + json.dumps(ROSIE).encode(), "without BOM"),
        (b'{"id": "rosie", "id": "home"}', 'the key "id" appears twice'),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_a_family_file_that_json_reads_loosely_is_refused_plainly(tmp_path, raw, message) -> None:
    path = tmp_path / "family.json"
    path.write_bytes(raw)
    with pytest.raises(CatalogError, match=message):
        load_families(path, HOME)


def fake_stack(monkeypatch):
    """`make family` against the aws fixture's tables, as against a deployed stack."""
    from bedtime_tools import __main__ as tools
    from bedtime_tools.target import Target

    names = {
        table: table for table in ("CharactersTable", "ScenesTable", "FamiliesTable", "CanonTable")
    }
    monkeypatch.setattr(tools, "local_target", lambda port: None)
    monkeypatch.setattr(
        tools, "stack_target", lambda stack: Target("stack s", boto3.client, names, print, False)
    )
    return tools


def family_rows() -> dict:
    table = boto3.client("dynamodb")
    return {
        name: table.scan(TableName=name)["Items"]
        for name in ("CharactersTable", "ScenesTable", "FamiliesTable", "CanonTable")
    }


def test_make_family_add_never_changes_a_family_the_file_does_not_name(
    aws, monkeypatch, tmp_path, capsys
) -> None:
    tools = fake_stack(monkeypatch)
    assert tools.main(["seed"]) == 0
    before = family_rows()
    bare = tmp_path / "rosie.json"
    bare.write_text(json.dumps({"characters": PAIR, "scenes": SCENE}))
    assert tools.main(["family", "--add", str(bare)]) == 2
    assert 'names no family; add its "id"' in capsys.readouterr().err
    surrogate = tmp_path / "bad.json"
    surrogate.write_text(json.dumps({**ROSIE, "name": "Ro\ud800"}))
    assert tools.main(["family", "--add", str(surrogate)]) == 2
    assert family_rows() == before
    rosie = tmp_path / "family.json"
    rosie.write_text(json.dumps(ROSIE))
    assert tools.main(["family", "--add", str(rosie)]) == 0
    assert "Saved family rosie" in capsys.readouterr().out
    assert len(services.catalog_store().load("home").characters) == 6


@pytest.mark.parametrize("local, listed", [(True, "quiet@example.com"), (False, "no email")])
def test_a_family_added_without_an_address_gets_the_local_stand_in_only_locally(
    aws, monkeypatch, tmp_path, capsys, local, listed
) -> None:
    """As a family the file gives no address: its story's link lands in the outbox."""
    tools = fake_stack(monkeypatch)
    names = {table: table for table in ("CharactersTable", "ScenesTable", "FamiliesTable")}
    target = Target(
        "the local run", boto3.client, names | {"CanonTable": "CanonTable"}, print, local
    )
    monkeypatch.setattr(tools, "stack_target", lambda stack: target)
    assert tools.main(["seed"]) == 0
    quiet = tmp_path / "quiet.json"
    quiet.write_text(
        json.dumps(
            {key: value for key, value in ROSIE.items() if key != "emails"} | {"id": "quiet"}
        )
    )
    assert tools.main(["family", "--add", str(quiet)]) == 0
    assert listed in next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("quiet")
    )


@pytest.mark.parametrize("wrong", ["nobody", "HOME"])
def test_make_family_remove_of_an_unknown_id_names_the_ids_and_writes_nothing(
    aws, monkeypatch, capsys, wrong
) -> None:
    tools = fake_stack(monkeypatch)
    assert tools.main(["seed"]) == 0
    before = family_rows()
    assert tools.main(["family", "--remove", wrong]) == 1
    assert f'There is no family "{wrong}"; the families are: home' in capsys.readouterr().err
    assert family_rows() == before


def test_saving_a_family_keeps_its_reader_secret(aws) -> None:
    nan = parse_families(FILE, HOME)[0].family
    keys = services.reader_secrets().ensure("nan")
    services.family_store().save(nan)
    services.family_store().save(replace(nan, bedtime=nan.bedtime.replace(hour=21)))
    services.clear()
    assert services.reader_secrets().keys("nan").feed_token() == keys.feed_token()
    assert services.family_store().get("nan").bedtime.hour == 21


# --- the tick follows the family --------------------------------
def image(family: Family) -> dict:
    """The family's item as the Families stream shows it."""
    services.family_store().save(family)
    item = services.client("dynamodb").get_item(
        TableName=services.settings().families_table, Key={"id": {"S": family.id}}
    )["Item"]
    return item


def waiting(aws, queue: str) -> list[dict]:
    sqs = services.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.resolver.names[queue], MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def apply(old: dict | None, new: dict | None, now: datetime | None = None) -> None:
    follow(
        old,
        new,
        (services.tick_state(), services.work_queues()),
        now or datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        timedelta(hours=3),
    )


def test_a_family_added_or_moved_tells_the_tick_its_time_zone(aws) -> None:
    nan = parse_families(FILE, HOME)[0].family
    added = image(nan)
    apply(None, added)
    assert services.tick_state().zones() == ["Europe/Madrid"]
    moved = image(replace(nan, time_zone=ZoneInfo("Asia/Tokyo")))
    apply(added, moved)
    assert services.tick_state().zones() == ["Asia/Tokyo", "Europe/Madrid"]
    assert waiting(aws, "WritingQueue") == []  # 12:00 UTC: tonight's make time is ahead


def test_a_family_added_after_its_make_time_gets_tonights_story_at_once(aws) -> None:
    """Nan's bedtime is 20:00 in Madrid (19:00 UTC in November), so her story is made at
    16:00 UTC. Added at 18:30 UTC, half an hour before bedtime, the tick will not come
    back for her: the story is asked for now, keyed on the make time the tick would
    have used, so a tick that also sends it makes no second story."""
    nan = parse_families(FILE, HOME)[0].family
    apply(None, image(nan), now=datetime(2026, 11, 25, 18, 30, tzinfo=UTC))
    assert waiting(aws, "WritingQueue") == [
        {"trigger": "schedule", "family": "nan", "scheduledTime": "2026-11-25T16:00:00Z"}
    ]


def test_a_family_added_after_its_bedtime_waits_for_tomorrow(aws) -> None:
    nan = parse_families(FILE, HOME)[0].family
    apply(None, image(nan), now=datetime(2026, 11, 25, 19, 30, tzinfo=UTC))
    assert waiting(aws, "WritingQueue") == []


def test_a_familys_email_reaches_its_own_addresses_only(aws) -> None:
    """One SendEmail per address of the story's family: an address two families share
    hears each family's story, from that family only."""
    nan, leo = (entry.family for entry in parse_families(FILE, HOME))
    services.family_store().save(nan)
    services.family_store().save(leo)
    made_for_bedtime(datetime(2026, 11, 25, 19, 0, tzinfo=UTC), ready=True, family=None)
    assert send(datetime(2026, 11, 25, 19, 0, tzinfo=UTC))
    sent = emails()
    assert sorted(email.to for email in sent) == ["nan@example.com", "shared@example.com"]
    assert {email.family for email in sent} == {"nan"}
    assert len({email.unsubscribe for email in sent}) == 2  # each address its own link


# --- delivery at bedtime ----------------------------------------------------------
def made_for_bedtime(
    bedtime: datetime,
    ready: bool,
    ready_at: datetime | None = None,
    family: tuple[str, ...] | None = ("nan@example.com",),
) -> None:
    """Nan's story for this bedtime; Nan's family saved with these addresses (None: as
    the test saved it)."""
    if family is not None:
        nan = parse_families(FILE, HOME)[0].family
        services.family_store().save(replace(nan, emails=family))
    store = services.story_store()
    store.add(replace(story_record("TmFuU3RvcnlPZlRvbmlnaHQx"), family="nan", deliver_at=bedtime))
    if ready:
        for medium in ("image", "audio"):
            store.finish_medium("TmFuU3RvcnlPZlRvbmlnaHQx", medium, Medium("done", key="k"))
        store.claim_ready("TmFuU3RvcnlPZlRvbmlnaHQx", ready_at or bedtime)


def send(now: datetime) -> bool:
    story = services.story_store().get("TmFuU3RvcnlPZlRvbmlnaHQx")
    household = Household(
        services.family_store().find,
        services.reader_secrets().ensure,
        lambda story: picture_of(story, services.media_store().read),
    )
    return deliver(
        story, "https://site/", True, services.story_store(), services.postbox(), now, household
    )


def test_a_story_ready_before_bedtime_waits_for_it_then_goes_once(aws) -> None:
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=True)
    assert not send(bedtime - timedelta(hours=2))  # ready early: kept for bedtime
    assert send(bedtime) and not send(bedtime + timedelta(minutes=1))
    [email] = emails()
    assert email.family == "nan" and not email.late


AT_BEDTIME = {"trigger": "bedtime", "family": "nan", "scheduledTime": "2026-11-25T19:00:00Z"}


def test_a_picture_still_queued_at_bedtime_is_painted_offline_and_the_email_goes(
    aws, lambda_context, monkeypatch
) -> None:
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=False)
    store = services.story_store()
    store.finish_medium("TmFuU3RvcnlPZlRvbmlnaHQx", "audio", Medium("done", key="k"))
    monkeypatch.setattr(clock, "now", lambda: bedtime)
    assert notify.handler(AT_BEDTIME, lambda_context)["emailed"] is True
    story = store.get("TmFuU3RvcnlPZlRvbmlnaHQx")
    assert story.image.status == "done" and story.ready_at
    [email] = emails()
    assert not email.late
    assert len(delivered(aws, "NotifyFunctionStoryReady")) == 1  # announced; sends no more


def created_for(story_id: str) -> dict:
    created = sample_event("story-created.json")
    created["detail"]["storyId"] = story_id
    return created


class Voice:
    name = "fake-voice"

    def speak(self, title, paragraphs, language) -> Narration:
        return Narration(mp3=b"\xff\xfbfake", line_marks=[{"time": 0, "value": title}])


def story_ready_to_notify(aws, lambda_context) -> list[dict]:
    """What NotifyFunction answers to each StoryReady the bus has delivered so far."""
    return [notify.handler(e, lambda_context) for e in delivered(aws, "NotifyFunctionStoryReady")]


def test_a_narration_finished_late_is_emailed_then_and_says_so(
    aws, lambda_context, monkeypatch
) -> None:
    """Through the handlers: bedtime paints the picture and waits; the narration comes
    twenty minutes later, its StoryReady reaches NotifyFunction, and the one email goes."""
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=False)
    monkeypatch.setattr(clock, "now", lambda: bedtime)
    assert notify.handler(AT_BEDTIME, lambda_context)["emailed"] is False
    assert services.story_store().get("TmFuU3RvcnlPZlRvbmlnaHQx").image.status == "done"
    assert emails() == []
    monkeypatch.setattr(clock, "now", lambda: bedtime + timedelta(minutes=20))
    monkeypatch.setattr(narrate, "voice", lambda *_: Voice())
    assert (
        narrate.handler(created_for("TmFuU3RvcnlPZlRvbmlnaHQx"), lambda_context)["audio"] == "done"
    )
    assert [r["emailed"] for r in story_ready_to_notify(aws, lambda_context)] == [True]
    [email] = emails()
    assert email.late and "a little late tonight" in email.body


def test_a_story_written_after_bedtime_goes_the_moment_it_is_ready_and_says_so(
    aws, lambda_context
) -> None:
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    assert notify.handler(AT_BEDTIME, lambda_context) == {"family": "nan", "emailed": False}
    made_for_bedtime(bedtime, ready=True, ready_at=bedtime + timedelta(minutes=40))
    assert send(bedtime + timedelta(minutes=40))
    [email] = emails()
    assert email.late and "a little late tonight" in email.body


def test_a_story_ready_before_bedtime_is_not_late_however_slow_its_bedtime_message(aws) -> None:
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=True, ready_at=bedtime - timedelta(hours=2))
    assert send(bedtime + timedelta(minutes=20))
    [email] = emails()
    assert not email.late and "a little late" not in email.body


def test_the_storyready_of_a_bedtime_email_sends_no_second_one(
    aws, lambda_context, monkeypatch
) -> None:
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=False)
    services.story_store().finish_medium("TmFuU3RvcnlPZlRvbmlnaHQx", "audio", Medium("done"))
    monkeypatch.setattr(clock, "now", lambda: bedtime)
    assert notify.handler(AT_BEDTIME, lambda_context)["emailed"] is True
    assert [r["emailed"] for r in story_ready_to_notify(aws, lambda_context)] == [False]
    assert len(emails()) == 1


class FailingOnce:
    """The event bus, refusing its first event (PutEvents can fail)."""

    def __init__(self, bus) -> None:
        self.bus, self.failed = bus, False

    def publish(self, event) -> None:
        if not self.failed:
            self.failed = True
            raise RuntimeError("PutEvents failed")
        self.bus.publish(event)


def test_a_bedtime_that_failed_to_announce_is_emailed_by_its_retry(
    aws, lambda_context, monkeypatch, template
) -> None:
    """Lambda developer guide, "Invoke a Lambda function on a schedule": EventBridge
    Scheduler invokes the function asynchronously, so Lambda retries a failed bedtime
    (EventInvokeConfig). The retry finds the picture painted, and still announces the
    story and sends the email."""
    notify_function = template["Resources"]["NotifyFunction"]["Properties"]
    assert notify_function["EventInvokeConfig"]["MaximumRetryAttempts"] >= 1
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=False)
    services.story_store().finish_medium("TmFuU3RvcnlPZlRvbmlnaHQx", "audio", Medium("done"))
    monkeypatch.setattr(clock, "now", lambda: bedtime)
    bus = FailingOnce(services.event_bus())
    monkeypatch.setattr(services, "event_bus", lambda: bus)
    with pytest.raises(RuntimeError):
        notify.handler(AT_BEDTIME, lambda_context)
    assert emails() == []
    assert notify.handler(AT_BEDTIME, lambda_context)["emailed"] is True
    assert len(emails()) == 1


def test_a_bedtime_moved_earlier_after_the_story_was_made_still_gets_its_email(
    aws, lambda_context, monkeypatch
) -> None:
    ready_at = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # made and ready ahead of both
    made_for_bedtime(datetime(2026, 11, 25, 20, 0, tzinfo=UTC), ready=True, ready_at=ready_at)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 11, 25, 19, 0, tzinfo=UTC))
    assert notify.handler(AT_BEDTIME, lambda_context)["emailed"] is True  # fires at 19:00
    [email] = emails()
    assert not email.late


def test_a_picture_taken_from_its_queue_near_or_after_bedtime_is_painted_offline(
    aws, lambda_context, monkeypatch
) -> None:
    """Near bedtime the model's picture would come after the offline one, and past it
    the family already has its link: the page gets a picture now, and a backlog behind
    the image provider's rate limit drains instead of growing."""
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=False)
    monkeypatch.setattr(clock, "now", lambda: bedtime - timedelta(seconds=30))
    monkeypatch.setattr(illustrate, "painter", lambda *_: Throttled(99, bytes))
    assert (
        illustrate.handler(created_for("TmFuU3RvcnlPZlRvbmlnaHQx"), lambda_context)["image"]
        == "done"
    )
    image = services.story_store().get("TmFuU3RvcnlPZlRvbmlnaHQx").image
    assert image.status == "done" and image.key.endswith("picture-offline.png")


def test_a_model_picture_overtaken_by_bedtime_leaves_the_offline_one_in_place(
    aws, lambda_context, monkeypatch
) -> None:
    """The model is still painting when bedtime comes and the notify step paints offline:
    each painter stores its own object, so the one recorded and emailed stays as it is."""
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=False)
    services.story_store().finish_medium("TmFuU3RvcnlPZlRvbmlnaHQx", "audio", Medium("done"))
    now = {"at": bedtime - timedelta(minutes=10)}
    monkeypatch.setattr(clock, "now", lambda: now["at"])

    class SlowModel:
        name = "openai"

        def paint(self, brief) -> bytes:
            now["at"] = bedtime  # bedtime comes while the model paints
            assert notify.handler(AT_BEDTIME, lambda_context)["emailed"] is True
            return b"model picture"

    monkeypatch.setattr(illustrate, "painter", lambda *_: SlowModel())
    illustrate.handler(created_for("TmFuU3RvcnlPZlRvbmlnaHQx"), lambda_context)
    image = services.story_store().get("TmFuU3RvcnlPZlRvbmlnaHQx").image
    assert image.key.endswith("picture-offline.png")
    s3 = boto3.client("s3")
    bucket = services.settings().media_bucket
    recorded = s3.get_object(Bucket=bucket, Key=image.key)["Body"].read()
    assert recorded.startswith(b"\x89PNG") and recorded != b"model picture"
    assert len(emails()) == 1


# --- throttles wait their turn ------------------------------------------------------
class Throttled:
    """A painter or writer whose provider refuses the first `times` calls for its rate."""

    name, model = "throttled", "t"

    def __init__(self, times: int, then) -> None:
        self.times, self.then, self.calls = times, then, 0

    def _next(self, brief):
        self.calls += 1
        if self.calls <= self.times:
            raise ProviderError("429 Too Many Requests", throttled=True)
        return self.then(brief)

    paint = write = _next


def queued(queue: str, body: dict) -> dict:
    """The message as Lambda's SQS event source mapping hands it over."""
    sqs = services.client("sqs")
    url = services.settings().queue_url(f"arn:aws:sqs:us-east-1:123456789012:{queue}")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    event = sample_event("painting-queue.json")
    record = event["Records"][0]
    record.update(
        messageId=message["MessageId"],
        receiptHandle=message["ReceiptHandle"],
        body=message["Body"],
        attributes=message["Attributes"],
        eventSourceARN=f"arn:aws:sqs:us-east-1:123456789012:{queue}",
    )
    return event


def test_a_throttled_picture_goes_back_to_its_queue_never_failed(
    aws, lambda_context, monkeypatch
) -> None:
    services.story_store().add(story_record("UXVldWVkU3RvcnkxMjM0NTY"))
    created = sample_event("story-created.json")
    created["detail"]["storyId"] = "UXVldWVkU3RvcnkxMjM0NTY"
    painter = Throttled(2, lambda brief: b"\x89PNG\r\n\x1a\n")
    monkeypatch.setattr(illustrate, "painter", lambda *_: painter)
    for attempt in (1, 2):
        result = illustrate.handler(queued("PaintingQueue", created), lambda_context)
        assert len(result["batchItemFailures"]) == 1, attempt
        assert services.story_store().get("UXVldWVkU3RvcnkxMjM0NTY").image.status == "pending"
    result = illustrate.handler(queued("PaintingQueue", created), lambda_context)
    assert result == {"batchItemFailures": []}
    assert services.story_store().get("UXVldWVkU3RvcnkxMjM0NTY").image.status == "done"


def test_a_throttled_writer_puts_tonights_story_back_in_the_queue(
    aws, lambda_context, monkeypatch
) -> None:
    from bedtime.providers.offline.story import OfflineStoryWriter
    from bedtime.records.catalog import load_catalog

    services.catalog_store().replace("home", load_catalog())
    writer = Throttled(1, OfflineStoryWriter().write)
    monkeypatch.setattr(create_story, "story_writer", lambda *_: writer)
    event = json.loads(sample_event("writing-queue.json")["Records"][0]["body"])
    first = create_story.handler(queued("WritingQueue", event), lambda_context)
    assert len(first["batchItemFailures"]) == 1
    assert saved_stories() == []  # not written offline: it waits
    again = create_story.handler(queued("WritingQueue", event), lambda_context)
    assert again == {"batchItemFailures": []}
    [story] = saved_stories()
    assert story.provider == "throttled"


def test_backoff_grows_and_has_a_ceiling() -> None:
    import random

    rng = random.Random(1)
    waits = [backoff_seconds(count, rng) for count in range(1, 10)]
    assert waits[0] < waits[2] < waits[4]
    assert max(waits) <= 900 * 1.2 and min(waits) >= 30 * 0.8


# --- no family reads another's ---------------------------------------------------
def cookie_for(family: str) -> dict[str, str]:
    keys = services.reader_secrets().ensure(family)
    now = int(time.time())
    return {"cookie": f"{SESSION_COOKIE}={keys.session_cookie(now, now + 3600)}"}


def get(path: str, headers: dict[str, str], context) -> dict:
    return web.handler(
        function_url_event("GET", path, headers, b"", "example.test", "1.2.3.4"), context
    )


def test_one_familys_link_cookie_or_feed_never_opens_anothers(aws, lambda_context) -> None:
    nan_story = replace(story_record("TmFuc1N0b3J5MTIzNDU2Nzg"), family="nan")
    leo_story = replace(story_record("TGVvc1N0b3J5MTIzNDU2Nzg"), family="leo")
    for story in (nan_story, leo_story):  # the same characters, the same title
        services.client("dynamodb").put_item(
            TableName=services.settings().stories_table, Item=story_item(story)
        )
    nan = cookie_for("nan")
    assert get(f"/stories/{nan_story.id}", nan, lambda_context)["statusCode"] == 200
    assert get(f"/stories/{leo_story.id}", nan, lambda_context)["statusCode"] == 404
    home = get("/", nan, lambda_context)["body"]
    assert nan_story.id in home and leo_story.id not in home
    nan_token = (
        services.reader_secrets().keys("nan").story_token(leo_story.id, leo_story.expires_at)
    )
    assert get(f"/stories/{leo_story.id}?t={nan_token}", {}, lambda_context)["statusCode"] == 401
    nan_feed = services.reader_secrets().keys("nan").feed_token()
    theirs = get(f"/feed.xml?feed={nan_feed}&family=leo", {}, lambda_context)
    assert theirs["statusCode"] == 401
    ours = get(f"/feed.xml?feed={nan_feed}&family=nan", {}, lambda_context)
    assert ours["statusCode"] == 200 and leo_story.id not in ours["body"]


def test_a_family_from_its_table_item() -> None:
    item = {
        "id": {"S": "nan"},
        "time_zone": {"S": "Europe/Madrid"},
        "bedtime": {"S": "20:00"},
        "emails": {"L": [{"S": "nan@example.com"}]},
    }
    family = family_from(item)
    assert (family.id, family.bedtime.hour, family.emails) == ("nan", 20, ("nan@example.com",))


def test_make_story_for_an_unknown_family_fails_at_once_naming_the_families(
    aws, monkeypatch, capsys
) -> None:
    tools = fake_stack(monkeypatch)
    assert tools.main(["seed"]) == 0
    capsys.readouterr()
    assert tools.main(["story", "--family", "nobody", "--timeout", "1"]) == 1
    assert 'There is no family "nobody"; the families are: home' in capsys.readouterr().err


# --- families told apart ----------------------------------------------------------
def test_at_bedtime_the_email_names_the_family_and_tonights_title(aws, lambda_context, monkeypatch):
    bedtime = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
    made_for_bedtime(bedtime, ready=True)  # nan, "Nan's"
    monkeypatch.setattr(clock, "now", lambda: bedtime)
    assert notify.handler(AT_BEDTIME, lambda_context)["emailed"] is True
    [email] = emails()
    assert email.subject == "Tonight for Nan's: Pip and Luna in the Whispering Woods"
    assert email.body.startswith("Tonight's bedtime story for Nan's\n")


def test_the_home_page_and_the_feed_name_the_readers_family(aws, lambda_context) -> None:
    services.family_store().save(parse_families(FILE, HOME)[0].family)  # nan, "Nan's"
    nan = cookie_for("nan")
    home = get("/", nan, lambda_context)["body"]
    assert "<title>Bedtime Stories for Nan&#39;s</title>" in home
    feed = get("/feed.xml", nan, lambda_context)["body"]
    assert "<title>Bedtime Stories for Nan&#39;s</title>" in feed


def test_a_family_is_summed_up_in_plain_words() -> None:
    nan, _ = parse_families(FILE, HOME)
    assert nan.summary == "nan (2 characters, 1 scene)"


def test_make_story_shows_the_steps_in_the_order_they_happen() -> None:
    from bedtime_tools.story import _steps

    story = story_record("TmFuU3RvcnlPZlRvbmlnaHQx")
    painted = replace(story, image=Medium("done", key="k"), audio=Medium("done", key="a"))
    steps = _steps(painted)
    assert steps[0].startswith("written: ") and steps[1:] == ["picture done", "narration done"]


def test_one_browser_reads_two_families_stories_by_their_email_links(
    aws, lambda_context, monkeypatch
):
    """A grandparent opens Nan's link, then Leo's a minute later, on one phone: both stay
    readable, and the home page is the family of the link opened last."""
    now = [time.time()]
    monkeypatch.setattr(services.reading_site(), "_clock", lambda: now[0])
    nan_story = replace(story_record("TmFuc1N0b3J5MTIzNDU2Nzg"), family="nan")
    leo_story = replace(story_record("TGVvc1N0b3J5MTIzNDU2Nzg"), family="leo")
    jar: dict[str, str] = {}
    for story in (nan_story, leo_story):
        services.client("dynamodb").put_item(
            TableName=services.settings().stories_table, Item=story_item(story)
        )
        keys = services.reader_secrets().ensure(story.family)
        link = f"/stories/{story.id}{keys.story_query(story.id, story.expires_at)}"
        opened = get(link, {}, lambda_context)
        assert opened["statusCode"] == 303
        for set_cookie in opened["cookies"]:
            name, _, value = set_cookie.split(";")[0].partition("=")
            jar[name] = value
        now[0] += 60
    browser = {"cookie": "; ".join(f"{name}={value}" for name, value in jar.items())}
    for story in (nan_story, leo_story):
        assert get(f"/stories/{story.id}", browser, lambda_context)["statusCode"] == 200
    home = get("/", browser, lambda_context)["body"]
    assert leo_story.id in home and nan_story.id not in home


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"StoryTime": "25:00"}, "StoryTime '25:00' is not a time such as \"19:15\""),
        ({"StoryTime": "7pm"}, "StoryTime '7pm' is not a time"),
        ({"StoryTime": "19.15"}, "StoryTime '19.15' is not a time"),
        ({"StoryTimeZone": "Europe/Pari"}, "Did you mean Europe/Paris"),
    ],
)
def test_the_home_familys_bedtime_and_zone_from_parameters_are_checked(parameters, message) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        home_from_parameters(parameters)
