"""Families through the real local stack: each family's schedule makes its story ahead
and delivers it at its own bedtime, on a clock run fast; and the stories survive a
restart of `make run`."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape  # as the page escapes (Jinja's autoescape)

from bedtime.records.stories import Story
from bedtime.records.story_store import StoryStore
from bedtime_local.endpoint import local_client
from bedtime_local.runner import LocalRun
from bedtime_tools.links import story_link
from bedtime_tools.target import serving_target

pytestmark = pytest.mark.slow

SPEED = 300  # five simulated minutes a real second: a night in under five real minutes
# With a lead of an hour, the first stories are made an hour (twelve real seconds) after
# the clock speeds up, and delivered an hour later.
FIRST_BEDTIME = timedelta(hours=2)
FAMILIES = 50
ZONES = [
    "Europe/London",
    "Europe/Madrid",
    "America/New_York",
    "America/Chicago",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Africa/Nairobi",
    "Pacific/Auckland",
]
PAIR = [
    {"name": "Pip", "description": "a small brave hedgehog"},
    {"name": "Luna", "description": "a wise old owl"},
]


def bedtime_in(zone: str, after: timedelta) -> str:
    """A bedtime (HH:MM, local) this long after now, to the next whole minute."""
    local = (datetime.now(UTC) + after).astimezone(ZoneInfo(zone))
    return (local + timedelta(minutes=1)).strftime("%H:%M")


def families_file(path: Path, count: int, after: timedelta, spread: timedelta) -> Path:
    families = [
        {
            "id": f"family-{index}",
            "timeZone": ZONES[index % len(ZONES)],
            "bedtime": bedtime_in(ZONES[index % len(ZONES)], after + spread * index),
            "emails": [f"parent{index}@example.com"],
            "characters": PAIR,
            "scenes": [{"name": "Moonlit Bay", "description": "a calm beach"}],
        }
        for index in range(count)
    ]
    path.write_text(json.dumps({"families": families}))
    return path


def fast_run(tmp_path: Path, catalog: Path, clock_speed: float = SPEED) -> LocalRun:
    return LocalRun(
        catalog=catalog,
        port=0,
        state_dir=tmp_path / ".local",
        parameters={"LeadHours": "1", "StoryMinutes": "2"},
        say=lambda _: None,
        clock_speed=clock_speed,
    )


def test_two_families_get_their_own_story_at_their_own_bedtime(tmp_path) -> None:
    catalog = families_file(tmp_path / "families.json", 2, FIRST_BEDTIME, timedelta(minutes=40))
    run = fast_run(tmp_path, catalog)
    run.start()
    run.keep_schedule()
    try:
        emails = run.wait_for_ready(2, timeout=90)
    finally:
        run.stop()
    assert sorted(email["family"] for email in emails) == ["family-0", "family-1"]
    assert emails[0]["family"] == "family-0"  # the earlier bedtime first
    stories = {email["storyId"] for email in emails}
    assert len(stories) == 2
    for family in ("family-0", "family-1"):
        [filed] = (tmp_path / ".local" / "outbox" / family).glob("*.txt")
        text = filed.read_text()
        index = family.split("-")[1]
        assert text.startswith(f"To: parent{index}@example.com\n")
        other = "parent1" if index == "0" else "parent0"
        assert other not in text
    assert not (tmp_path / ".local" / "state").exists()  # a fast clock's nights are not kept


def test_fifty_families_through_the_local_stack_fifty_stories_fifty_emails_none_lost(
    tmp_path,
) -> None:
    catalog = families_file(tmp_path / "families.json", FAMILIES, FIRST_BEDTIME, timedelta(0))
    run = fast_run(tmp_path, catalog)
    run.start()
    run.keep_schedule()
    try:
        emails = run.wait_for_ready(FAMILIES, timeout=240)
        store = StoryStore(local_client("dynamodb", run.endpoint), "StoriesTable")
        stories = finished([email["storyId"] for email in emails], store, timeout=60)
        time.sleep(2)  # ten minutes on the run's clock, for a second email to show
        emails = list(run.ready)
    finally:
        run.stop()
    assert len(emails) == FAMILIES
    assert sorted(e["family"] for e in emails) == sorted(f"family-{i}" for i in range(FAMILIES))
    assert all(s.image.status == s.audio.status == "done" for s in stories)
    assert len({s.id for s in stories}) == FAMILIES


def finished(story_ids: list[str], store: StoryStore, timeout: float) -> list[Story]:
    """The stories once both media of each have finished (an email goes at bedtime,
    maybe before its picture or narration), or as they are when the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        stories = [store.get(story_id) for story_id in story_ids]
        if all(s.ready_at for s in stories) or time.monotonic() > deadline:
            return stories
        time.sleep(0.5)


def test_stories_and_families_survive_a_restart(tmp_path) -> None:
    catalog = families_file(tmp_path / "families.json", 1, timedelta(hours=9), timedelta(0))
    first = fast_run(tmp_path, catalog, clock_speed=1)  # a fast clock's run keeps nothing
    first.start()
    try:
        story = first.request_story(family="family-0")
        first.wait_for_ready(1, timeout=60)
    finally:
        first.stop()
    second = fast_run(tmp_path, catalog, clock_speed=1)
    second.start()
    try:
        link = story_link(serving_target(second.port, second.state_dir), story["storyId"])
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(link, timeout=10) as page:
            assert page.status == 200 and str(escape(story["title"])) in page.read().decode()
    finally:
        second.stop()


def test_a_restart_without_the_catalog_still_serves_every_kept_family(tmp_path) -> None:
    """`make run` writes tonight's story for each of run.family_ids() at start."""
    catalog = families_file(tmp_path / "families.json", 1, timedelta(hours=9), timedelta(0))
    first = fast_run(tmp_path, catalog, clock_speed=1)
    first.start()
    first.stop()
    second = LocalRun(port=0, state_dir=tmp_path / ".local", say=lambda _: None)
    second.start()
    try:
        assert second.family_ids() == ["family-0", "home"]
    finally:
        second.stop()
