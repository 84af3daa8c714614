"""`make simulate`: one night, event by event, with the template's caps and the providers'
limits; it passes when the night fits and fails when it does not."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bedtime.families.planning import PROVIDER_LIMITS, polly_requests, story_characters
from bedtime_bench.night import Bucket, Night
from bedtime_bench.night_report import make_windows, needed_lead, needed_rate
from bedtime_bench.simulate import ZONES, Setup, families, from_template, main, simulate
from bedtime_local.template import load_template
from helpers import ROOT

STAGES = ("writing", "painting", "narrating")


@pytest.fixture(scope="module")
def setup() -> Setup:
    return from_template(load_template(ROOT / "template.yaml"))


def test_a_small_night_is_on_time_and_the_report_names_every_stage(capsys) -> None:
    code = main(["--families", "200", "--seed", "7"])

    report = capsys.readouterr().out
    assert code == 0
    assert "Late (emailed after bedtime): 0" in report
    assert "Pictures painted offline (not painted when bedtime came): 0" in report
    assert "Lost (not ready 24 h after bedtime): 0" in report
    for stage in STAGES:
        assert f"\n{stage} " in report  # in the table and in the queue-depth lines
        assert report.count(f"\n{stage} ") == 2
    assert "Ready ahead of bedtime: median" in report
    assert "Families 200" in report


def reported(report: str, label: str) -> int:
    return int(report.split(label + ": ")[1].split()[0].replace(",", ""))


def test_an_absurdly_slow_writer_makes_stories_late(capsys) -> None:
    code = main(["--families", "2000", "--rate", "writing=1/min", "--cap", "writing=2"])

    report = capsys.readouterr().out
    assert code == 1
    assert "NOT ON TIME" in report
    assert reported(report, "Late (emailed after bedtime)") > 0
    assert "writing: the night's 2,000 calls" in report


def test_a_painter_too_slow_for_the_night_leaves_no_story_late_but_says_so(capsys) -> None:
    """At bedtime a picture still queued is painted offline (handlers/notify.py), so the
    email is on time and the queue drains; the report counts those pictures and asks for
    a higher image limit."""
    code = main(["--families", "2000", "--rate", "painting=1/min", "--cap", "painting=2"])

    report = capsys.readouterr().out
    assert code == 0
    assert reported(report, "Late (emailed after bedtime)") == 0
    assert reported(report, "Lost (not ready 24 h after bedtime)") == 0
    assert reported(report, "Pictures painted offline (not painted when bedtime came)") > 0
    assert "pictures were painted offline" in report
    assert "painting: the night's 2,000 calls" in report


def test_setup_comes_from_the_template_defaults(setup: Setup) -> None:
    assert setup.lead == timedelta(hours=3)
    assert setup.caps == {name: limit.concurrency for name, limit in PROVIDER_LIMITS.items()}
    assert setup.limits["narrating"].calls_per_story == polly_requests(story_characters(6))


def test_families_live_in_real_zones_and_go_to_bed_between_half_six_and_half_eight() -> None:
    plans = families(2000, random.Random(3), date(2026, 12, 1), timedelta(hours=3))
    zones = {name for name, _ in ZONES}
    assert 20 <= len(zones) <= 50
    assert {name.split("/")[0] for name in zones} >= {
        "America", "Europe", "Africa", "Asia", "Australia", "Pacific"
    }  # fmt: skip
    for plan in plans:
        assert plan.night == date(2026, 12, 1)
        assert plan.deliver_at - plan.make_at == timedelta(hours=3)
        assert any(
            _at_bedtime(plan.deliver_at.astimezone(ZoneInfo(name)), plan.night) for name in zones
        )
    assert len({plan.deliver_at.utcoffset() for plan in plans}) == 1  # all in UTC
    assert len({plan.deliver_at.hour for plan in plans}) >= 20  # spread around the clock


def _at_bedtime(local: datetime, night: date) -> bool:
    return local.date() == night and time(18, 30) <= local.time() <= time(20, 30)


def test_a_throttled_message_is_never_dropped(setup: Setup) -> None:
    # Polly at one request a second with no burst, twelve narrators: most calls throttle.
    slow = replace(PROVIDER_LIMITS["narrating"], per_second=1.0, burst=1)
    limits = {**setup.limits, "narrating": slow}
    plans = families(300, random.Random(5), date(2026, 12, 1), setup.lead)

    night = Night(plans, Setup(setup.lead, setup.caps, limits).specs(), random.Random(5)).run()

    narrating = night.stages["narrating"]
    assert narrating.throttles > 100
    assert all(ready is not None for ready in night.ready)
    assert narrating.calls >= 300 * slow.calls_per_story
    assert narrating.depth == 0


def test_the_same_seed_gives_the_same_night(setup: Setup) -> None:
    first = simulate(300, setup, seed=11)
    second = simulate(300, setup, seed=11)
    assert first.ahead == second.ahead
    assert [s.throttles for s in first.stages] == [s.throttles for s in second.stages]


def test_queue_depth_is_reported_per_utc_hour(setup: Setup) -> None:
    outcome = simulate(300, setup, seed=2)
    hours = {len(stage.hourly_depth) for stage in outcome.stages}
    assert len(hours) == 1
    assert 24 <= hours.pop() <= 30  # bedtimes span ~25 UTC hours, plus the lead


def test_bucket_lets_a_burst_through_then_the_steady_rate() -> None:
    bucket = Bucket(rate=8.0, capacity=10.0, tokens=10.0)
    assert sum(bucket.take(0.0) for _ in range(12)) == 10
    assert bucket.wait(0.0) == pytest.approx(1 / 8)
    assert bucket.take(0.125)
    assert not bucket.take(0.125)


def test_needed_rate_and_lead_follow_the_busiest_window() -> None:
    # 120 stories start making within five minutes: with a 3-hour lead they need 120 in
    # 3 h 5 m; at 10 a minute they take 12 minutes, so a lead of 12 - 5 = 7 minutes.
    windows = make_windows([float(i) for i in range(120)])
    assert needed_rate(windows, 3 * 3600) == pytest.approx(120 / (3 * 3600 + 300))
    assert needed_lead(windows, 120, 10 / 60) == timedelta(minutes=7)
    assert needed_lead(windows, 120, 1 / 600) is None  # 20 hours: more than LeadHours allows


def test_a_picture_too_near_bedtime_for_the_model_is_not_sent_to_it(monkeypatch, capsys) -> None:
    """Near bedtime the model's picture would come after the offline one and be paid for
    in vain (illustrating.py paints offline then): with the check, few paid pictures go
    unused; without it, many more."""
    import bedtime_bench.night as night

    main(["--families", "10000"])  # more pictures than an OpenAI Tier-1 key paints
    with_check = reported(capsys.readouterr().out, "Paid pictures unused (bedtime came first)")
    monkeypatch.setattr(night, "TOO_NEAR", 0.0)
    main(["--families", "10000"])
    without = reported(capsys.readouterr().out, "Paid pictures unused (bedtime came first)")
    assert with_check * 5 < without
