"""Planning: bedtimes as instants, each night's make and deliver times, the tick's
windows on each family's clock, and each stage's cap derived from its provider's limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bedtime.families.planning import (
    DEFAULT_LEAD,
    DEFAULT_STORY_MINUTES,
    PROVIDER_LIMITS,
    bedtime_instant,
    bedtimes_between,
    clock_ranges,
    plan_night,
    polly_requests,
    stage_concurrency,
    story_characters,
)
from bedtime.families.triggers import StoryRequest
from bedtime.providers.offline.quality import nights
from bedtime.providers.polly import chunks
from bedtime.records.catalog import Entry
from bedtime.records.speech import spoken_lines
from bedtime_local.template import load_template
from helpers import ROOT

NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
KATHMANDU = ZoneInfo("Asia/Kathmandu")


@pytest.fixture(scope="module")
def parameters() -> dict:
    return load_template(ROOT / "template.yaml")["Parameters"]


# --- bedtime_instant ------------------------------------------------------------
def test_bedtime_is_an_aware_utc_instant_in_the_family_zone() -> None:
    instant = bedtime_instant(NEW_YORK, time(19, 15), date(2026, 1, 15))
    assert instant == datetime(2026, 1, 16, 0, 15, tzinfo=UTC)
    assert instant.utcoffset() == timedelta(0)


def test_summer_time_and_odd_offsets_are_followed() -> None:
    assert bedtime_instant(NEW_YORK, time(19, 15), date(2026, 7, 1)).hour == 23
    assert bedtime_instant(KATHMANDU, time(19, 0), date(2026, 7, 1)) == datetime(
        2026, 7, 1, 13, 15, tzinfo=UTC
    )
    # Auckland is 13 hours ahead in January: its bedtime is the morning of the same UTC day.
    assert bedtime_instant(AUCKLAND, time(19, 0), date(2026, 1, 15)) == datetime(
        2026, 1, 15, 6, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_jump_over_lands_as_far_after_the_jump() -> None:
    # 8 March 2026, New York: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist.
    instant = bedtime_instant(NEW_YORK, time(2, 30), date(2026, 3, 8))
    assert instant == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert instant.astimezone(NEW_YORK).time() == time(3, 30)


def test_a_time_that_happens_twice_is_the_first() -> None:
    # 1 November 2026, New York: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice.
    instant = bedtime_instant(NEW_YORK, time(1, 30), date(2026, 11, 1))
    assert instant == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


def test_a_bedtime_given_with_a_zone_or_fold_is_read_on_the_family_clock() -> None:
    plain = bedtime_instant(NEW_YORK, time(1, 30), date(2026, 11, 1))
    assert bedtime_instant(NEW_YORK, time(1, 30, fold=1, tzinfo=UTC), date(2026, 11, 1)) == plain


# --- plan_night -------------------------------------------------------------------
def test_plan_makes_the_story_a_lead_before_bedtime() -> None:
    plan = plan_night("fam-1", NEW_YORK, time(19, 15), date(2026, 1, 15), DEFAULT_LEAD)
    assert plan.family == "fam-1"
    assert plan.night == date(2026, 1, 15)
    assert plan.deliver_at == datetime(2026, 1, 16, 0, 15, tzinfo=UTC)
    assert plan.deliver_at - plan.make_at == timedelta(hours=3)


def test_make_may_fall_on_the_previous_local_day() -> None:
    plan = plan_night("fam-1", NEW_YORK, time(1, 0), date(2026, 1, 15), timedelta(hours=3))
    made = plan.make_at.astimezone(NEW_YORK)
    assert (made.date(), made.time()) == (date(2026, 1, 14), time(22, 0))
    made_by_its_schedule = StoryRequest("schedule", "fam-1", plan.make_at, None, timedelta(hours=3))
    assert made_by_its_schedule.night(NEW_YORK) == plan.night


def test_the_exact_lead_holds_across_a_clock_change() -> None:
    # A 12-hour lead over the spring-forward night: 12 real hours, 13 on the wall clock.
    plan = plan_night("fam-1", NEW_YORK, time(12, 0), date(2026, 3, 8), timedelta(hours=12))
    assert plan.deliver_at - plan.make_at == timedelta(hours=12)
    assert plan.make_at.astimezone(NEW_YORK).time() == time(23, 0)


# --- the tick's arithmetic -------------------------------------------------------------
LONDON = ZoneInfo("Europe/London")


def test_bedtimes_between_finds_each_night_in_the_window() -> None:
    start = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    found = bedtimes_between(NEW_YORK, time(19, 15), start, start + timedelta(days=2))
    assert found == [
        datetime(2026, 11, 25, 0, 15, tzinfo=UTC),
        datetime(2026, 11, 26, 0, 15, tzinfo=UTC),
    ]
    one_minute = (found[0] - timedelta(minutes=1), found[0])
    assert bedtimes_between(NEW_YORK, time(19, 15), *one_minute) == [found[0]]
    assert bedtimes_between(NEW_YORK, time(19, 15), found[0], found[0] + timedelta(minutes=1)) == []


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # an ordinary minute: that minute on the family's clock
        (datetime(2026, 11, 25, 19, 14, tzinfo=UTC), [(time(19, 14), time(19, 15))]),
        # a window over local midnight: two ranges
        (
            datetime(2026, 11, 25, 23, 50, tzinfo=UTC),
            [(time(23, 50), time(23, 59, 59)), (time(0, 0), time(0, 10))],
        ),
    ],
)
def test_clock_ranges_are_the_window_on_the_family_clock(start, expected) -> None:
    end = start + timedelta(minutes=1 if expected[0][0] == time(19, 14) else 20)
    assert clock_ranges(LONDON, start, end) == expected


def test_a_bedtime_the_clocks_jump_over_is_found_after_the_jump() -> None:
    """01:30 does not exist in London on 29 March 2026 (at 01:00 GMT the clocks jump to
    02:00 BST); bedtime_instant reads it as 01:30 GMT, 02:30 BST. The tick's query range
    starts an hour earlier after the change, so the family is found, once."""
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    instant = bedtime_instant(LONDON, time(1, 30), date(2026, 3, 29))
    assert instant == jump + timedelta(minutes=30)
    window = (instant - timedelta(minutes=1), instant)
    (earliest, latest), *_ = clock_ranges(LONDON, *window)
    assert earliest <= time(1, 30) <= latest
    assert bedtimes_between(LONDON, time(1, 30), *window) == [instant]


def test_a_bedtime_that_happens_twice_is_kept_the_first_time_only() -> None:
    """01:30 happens twice in London on 25 October 2026 (clocks go back at 02:00 BST)."""
    first = bedtime_instant(LONDON, time(1, 30), date(2026, 10, 25))
    second = first + timedelta(hours=1)
    assert bedtimes_between(LONDON, time(1, 30), first - timedelta(minutes=1), first) == [first]
    assert bedtimes_between(LONDON, time(1, 30), second - timedelta(minutes=1), second) == []


# --- capacity -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("per_second", "seconds", "expected"),
    [
        (8.0, 1.5, 12),  # Polly neural: 8 a second, 1.5 s each
        (5 / 60, 40.0, 3),  # 5 pictures a minute at 40 s: 3.33, rounded down
        (1.0, 20.0, 20),
        (1 / 60, 40.0, 2),  # the mapping's floor, even though 0.67 would do
        (500.0, 20.0, 1000),  # the mapping's ceiling
    ],
)
def test_stage_concurrency_is_littles_law_within_the_mapping_range(
    per_second: float, seconds: float, expected: int
) -> None:
    assert stage_concurrency(per_second, seconds) == expected


def test_a_cap_never_asks_for_more_than_its_limit_unless_clamped() -> None:
    for limit in PROVIDER_LIMITS.values():
        steady = limit.concurrency / limit.seconds_per_call
        assert steady <= limit.per_second or limit.concurrency == 2


def test_template_caps_are_derived_from_the_provider_limits(parameters: dict) -> None:
    for stage, limit in PROVIDER_LIMITS.items():
        default = parameters[limit.parameter]["Default"]
        assert default == limit.concurrency, f"{stage}: {limit.parameter}"
        assert parameters[limit.parameter]["MinValue"] == 2
        assert parameters[limit.parameter]["MaxValue"] == 1000


def test_template_lead_and_story_length_match_the_planning_defaults(parameters: dict) -> None:
    assert timedelta(hours=parameters["LeadHours"]["Default"]) == DEFAULT_LEAD
    assert parameters["StoryMinutes"]["Default"] == DEFAULT_STORY_MINUTES


def test_the_narrating_limit_is_pollys_quota_for_neural_voices(parameters: dict) -> None:
    """Amazon Polly Developer Guide, "Quotas in Amazon Polly" (read 3 December 2026):
    SynthesizeSpeech with neural voices, 8 transactions a second with a burst of 10, and
    at most 18 concurrent requests, per account and Region. A narration sends its
    requests one after another, so the stage's cap is how many run at once."""
    narrating = PROVIDER_LIMITS["narrating"]
    assert (narrating.per_second, narrating.burst) == (8, 10)
    assert narrating.concurrency == parameters["NarratingConcurrency"]["Default"] <= 18


def test_provider_limits_are_todays_defaults() -> None:
    assert PROVIDER_LIMITS["painting"].per_minute == pytest.approx(5)
    assert PROVIDER_LIMITS["writing"].per_minute <= 500  # OpenAI Tier 1's requests a minute


def test_polly_requests_per_story_match_how_the_voice_chunks_a_real_story() -> None:
    minutes = DEFAULT_STORY_MINUTES
    draft = nights(
        (Entry("Pip", "a small brave hedgehog"), Entry("Luna", "a wise old owl")),
        Entry("Moonlit Bay", "a calm beach"),
        1,
        minutes,
        5,
    )[0]
    real = 2 * len(list(chunks(list(spoken_lines(draft.title, draft.paragraphs)))))
    assert PROVIDER_LIMITS["narrating"].calls_per_story == real == 4
    assert story_characters(minutes) == pytest.approx(len(" ".join(draft.paragraphs)), rel=0.1)


def test_polly_requests_count_two_per_chunk() -> None:
    assert polly_requests(0) == 2
    assert polly_requests(2800) == 2
    assert polly_requests(2801) == 4
    assert polly_requests(6000) == 6
