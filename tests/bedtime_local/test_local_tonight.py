"""What `make run` writes as it starts: tonight's story for a family that has none, the
same story the tick or FamiliesFunction would make for that night (so neither writes a
second), and nothing for a family that has tonight's story already; and the stop that
keeps them."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from bedtime.families.tick import late_work, work_between
from bedtime.records.families import Family
from bedtime.records.story_store import StoryStore
from bedtime_local import snapshot
from bedtime_local.endpoint import local_client
from bedtime_local.runner import STOPPING_SWITCH_SECONDS, LocalRun
from bedtime_local.tonight import story_id_of, tonights_make

LEAD = timedelta(hours=1)
LONDON = ZoneInfo("Europe/London")
FAMILY = Family("ana", LONDON, bedtime=time(19, 15))
PAIR = [
    {"name": "Pip", "description": "a small brave hedgehog"},
    {"name": "Luna", "description": "a wise old owl"},
]


def test_a_start_after_the_make_time_asks_for_the_story_families_function_asks_for() -> None:
    # Given a family added at 18:30, after its make time (18:15) and before its bedtime
    now = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
    # When the start asks for tonight's story
    make = tonights_make(FAMILY, now, LEAD)
    # Then it is the very message FamiliesFunction sends for a family that arrives late
    assert [make.message] == [work.message for work in late_work(FAMILY, now, LEAD)]


def test_a_start_before_the_make_time_asks_for_the_story_the_tick_asks_for_later() -> None:
    morning = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    make = tonights_make(FAMILY, morning, LEAD)
    ticked = work_between(FAMILY, morning, morning + timedelta(hours=12), LEAD)
    tick_make = next(work for work in ticked if work.kind == "make")
    assert make.message == tick_make.message
    assert story_id_of(make, morning, LEAD) == story_id_of(tick_make, morning, LEAD)


def test_after_midnight_tonight_is_the_new_date() -> None:
    late = datetime(2026, 12, 4, 0, 30, tzinfo=UTC)
    assert tonights_make(FAMILY, late, LEAD).at == datetime(2026, 12, 4, 18, 15, tzinfo=UTC)


def daytime_zone() -> str:
    """A zone where it is now mid-day, so that tonight is the same date all test long."""
    for zone in ("Europe/London", "Asia/Tokyo", "America/Los_Angeles", "Asia/Kolkata"):
        if 7 <= datetime.now(ZoneInfo(zone)).hour <= 15:
            return zone
    raise AssertionError("one of those zones is always between 07:00 and 15:59")


def one_family(path: Path, zone: str, bedtime_after: timedelta) -> Path:
    bedtime = (datetime.now(ZoneInfo(zone)) + bedtime_after).strftime("%H:%M")
    family = {"id": "ana", "timeZone": zone, "bedtime": bedtime, "characters": PAIR}
    family |= {"storyMinutes": 2, "scenes": [{"name": "Moonlit Bay", "description": "a beach"}]}
    path.write_text(json.dumps({"families": [family]}))
    return path


def local_run(tmp_path: Path, catalog: Path, said: list[str], speed: float = 1) -> LocalRun:
    return LocalRun(
        catalog=catalog,
        port=0,
        state_dir=tmp_path / ".local",
        parameters={"LeadHours": "1", "StoryMinutes": "2"},
        say=said.append,
        clock_speed=speed,
    )


def stories_of(run: LocalRun, family: str) -> list[str]:
    store = StoryStore(local_client("dynamodb", run.endpoint), run.resolver.names["StoriesTable"])
    return [story.id for story in store.family_stories(family)]


def creates(run: LocalRun) -> int:
    return sum(stage.name == "CreateStoryFunction" for stage in run.timeline.stages)


@pytest.mark.slow
def test_the_tick_writes_no_second_story_for_the_night_the_start_wrote(tmp_path) -> None:
    # Given a start at mid-day, ten minutes before the family's make time
    catalog = one_family(tmp_path / "families.json", daytime_zone(), LEAD + timedelta(minutes=10))
    run = local_run(tmp_path, catalog, [], speed=300)
    run.start()
    try:
        run.start_tonights_stories()
        [email] = run.wait_for_ready(1, timeout=120)
        # When the make time comes (two seconds later on a clock five minutes a second)
        run.keep_schedule()
        assert run.timeline.wait_for(lambda _: creates(run) == 2, timeout=60)
        # Then the tick's CreateStory found tonight's story written: one story, emailed
        assert stories_of(run, "ana") == [email["storyId"]]
    finally:
        run.stop()


@pytest.mark.slow
def test_a_second_start_the_same_night_prints_the_link_again_and_writes_nothing(
    tmp_path,
) -> None:
    catalog = one_family(tmp_path / "families.json", daytime_zone(), timedelta(hours=5))
    first = local_run(tmp_path, catalog, [])
    first.start()
    try:
        first.start_tonights_stories()
        [email] = first.wait_for_ready(1, timeout=120)
    finally:
        first.stop()
    said: list[str] = []
    second = local_run(tmp_path, catalog, said)
    second.start()
    try:
        second.tonights_story("ana")
        written = stories_of(second, "ana")
    finally:
        second.stop()
    assert written == [email["storyId"]]
    assert creates(second) == 0
    [link] = [line.removeprefix("Story ready: ") for line in said if "Story ready: " in line]
    assert urlsplit(link).path == urlsplit(email["url"]).path  # the port is the run's own


@pytest.mark.slow
def test_a_story_the_last_stop_cut_off_before_its_media_is_finished_and_emailed(
    tmp_path,
) -> None:
    catalog = one_family(tmp_path / "families.json", daytime_zone(), timedelta(hours=5))
    first = local_run(tmp_path, catalog, [])
    first.start()
    try:
        first.start_tonights_stories()
        [email] = first.wait_for_ready(1, timeout=120)
        # Given the run stopped as if before the story's picture and voice were done
        # (their invocations cut off: their records in progress not kept)
        dynamodb = local_client("dynamodb", first.endpoint)
        dynamodb.update_item(
            TableName=first.resolver.names["StoriesTable"],
            Key={"id": {"S": email["storyId"]}},
            UpdateExpression="SET image_status = :p, audio_status = :p REMOVE ready_at, emailed_at",
            ExpressionAttributeValues={":p": {"S": "pending"}},
        )
        idempotency = first.resolver.names["IdempotencyTable"]
        for item in dynamodb.scan(TableName=idempotency)["Items"]:
            if item["id"]["S"].startswith(("image#", "audio#")):
                dynamodb.delete_item(TableName=idempotency, Key={"id": item["id"]})
    finally:
        first.stop()
    # When the next run starts
    second = local_run(tmp_path, catalog, [])
    second.start()
    try:
        second.tonights_story("ana")
        # Then that story is painted, narrated and emailed, and no other is written
        [again] = second.wait_for_ready(1, timeout=120)
        written = stories_of(second, "ana")
    finally:
        second.stop()
    assert again["storyId"] == email["storyId"] and written == [email["storyId"]]


@pytest.mark.slow
def test_the_stop_saves_with_prompt_handovers_and_restores_the_interval(
    tmp_path, monkeypatch
) -> None:
    """Stories still being written (pure Python) hand the interpreter's lock to the
    stop's save only every switch interval, at each of its socket calls to moto."""
    catalog = one_family(tmp_path / "families.json", daytime_zone(), timedelta(hours=5))
    run = local_run(tmp_path, catalog, [])
    intervals: list[float] = []
    save = snapshot.save
    monkeypatch.setattr(
        snapshot, "save", lambda *a: intervals.append(sys.getswitchinterval()) or save(*a)
    )
    before = sys.getswitchinterval()
    run.start()
    run.stop()
    assert intervals and intervals[0] <= STOPPING_SWITCH_SECONDS < before / 10
    assert sys.getswitchinterval() == before
