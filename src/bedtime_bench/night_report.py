"""What a simulated night shows: per stage, per story, and the arithmetic behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from bedtime.delivery.nightly_email import LATE_AFTER
from bedtime_bench.night import LOST_AFTER, Night, Stage

BUCKET = 300.0  # seconds: make times are counted in 5-minute buckets for the arithmetic
DAY = 86_400.0
MAX_LEAD_HOURS = 12  # template.yaml's LeadHours MaxValue
SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class StageOutcome:
    name: str
    provider: str
    cap: int
    limit_per_second: float
    steady_per_second: float  # the lower of the limit and cap ÷ seconds a call
    calls_per_story: int
    calls: int
    throttles: int
    utilisation: float
    hourly_depth: list[int]
    needed_per_second: float  # calls a second to be on time with this lead, at least
    needed_lead: timedelta | None  # the lead that would do at the steady rate; None: none
    stories: int

    @property
    def night_hours(self) -> float:
        """A night's calls at the stage's steady rate, in hours."""
        return self.calls_per_night / self.steady_per_second / 3600

    @property
    def calls_per_night(self) -> int:
        return self.calls_per_story * self.stories


@dataclass(frozen=True)
class Outcome:
    families: int
    zones: int
    night: date
    lead: timedelta
    stages: list[StageOutcome]
    ahead: list[float]  # seconds each ready story was ready before its bedtime, sorted
    late: int  # emailed more than LATE_AFTER after bedtime
    lost: int
    painted_offline: int  # pictures not yet painted when bedtime came near
    unused: int  # paid pictures that came after bedtime's offline one
    events: int
    first_hour: datetime
    wall: float

    @property
    def on_time(self) -> bool:
        return self.late == 0 and self.lost == 0


def summarise(night: Night, lead: timedelta, zones: int, wall: float) -> Outcome:
    ahead, late, lost = _timeliness(night)
    hours = _active_hours(night)
    windows = make_windows(sorted(night.seconds(plan.make_at) for plan in night.plans))
    stories = len(night.plans)
    stages = [_stage_outcome(s, hours, windows, lead, stories) for s in night.stages.values()]
    return Outcome(
        families=len(night.plans),
        zones=zones,
        night=night.plans[0].night,
        lead=lead,
        stages=stages,
        ahead=ahead,
        late=late,
        lost=lost,
        painted_offline=sum(stage.offline for stage in night.stages.values()),
        unused=sum(stage.unused for stage in night.stages.values()),
        events=night.events,
        first_hour=night.origin + timedelta(hours=hours[0]),
        wall=wall,
    )


def _timeliness(night: Night) -> tuple[list[float], int, int]:
    ahead, late, lost = [], 0, 0
    for ready, deliver in zip(night.ready, night.deliver, strict=True):
        if ready is None or ready > deliver + LOST_AFTER.total_seconds():
            lost += 1
            continue
        ahead.append(deliver - ready)
        late += ready > deliver + LATE_AFTER.total_seconds()
    return sorted(ahead), late, lost


def _active_hours(night: Night) -> tuple[int, int]:
    started = [stage for stage in night.stages.values() if math.isfinite(stage.first)]
    first = min(stage.first for stage in started)
    last = max(max(stage.last, stage.first) for stage in started)
    return int(first // 3600), int(max(last, night.now) // 3600)


def _stage_outcome(
    stage: Stage,
    hours: tuple[int, int],
    windows: list[tuple[int, float]],
    lead: timedelta,
    stories: int,
) -> StageOutcome:
    limit = stage.spec.limit
    steady = min(limit.per_second, stage.spec.cap / limit.seconds_per_call)
    active = stage.last - stage.first if math.isfinite(stage.first) else 0.0
    window = max(active, 1.0) * stage.spec.cap
    needed_stories = needed_rate(windows, lead.total_seconds())
    return StageOutcome(
        name=stage.spec.name,
        provider=limit.provider,
        cap=stage.spec.cap,
        limit_per_second=limit.per_second,
        steady_per_second=steady,
        calls_per_story=limit.calls_per_story,
        calls=stage.calls,
        throttles=stage.throttles,
        utilisation=stage.busy / window,
        hourly_depth=stage.hourly_depth(*hours),
        needed_per_second=needed_stories * limit.calls_per_story,
        needed_lead=needed_lead(windows, stories, steady / limit.calls_per_story),
        stories=stories,
    )


# --- the arithmetic: what rate, or what lead, keeps every story on time ------------------
def _counts(makes: list[float]) -> list[int]:
    """Stories whose making starts in each 5-minute bucket, first to last."""
    first = makes[0]
    counts = [0] * (int((makes[-1] - first) // BUCKET) + 1)
    for made in makes:
        counts[int((made - first) // BUCKET)] += 1
    return counts


def make_windows(makes: list[float]) -> list[tuple[int, float]]:
    """(stories, seconds) for every run of whole buckets: the stories that start making in
    a window must be done within the window plus the lead."""
    totals = [0, *accumulate(_counts(makes))]
    return [
        (totals[end] - totals[start], (end - start) * BUCKET)
        for start in range(len(totals) - 1)
        for end in range(start + 1, len(totals))
    ]


def needed_rate(windows: list[tuple[int, float]], lead: float) -> float:
    """Stories a second a stage must finish so none is late (as if the stage were alone)."""
    return max(stories / (seconds + lead) for stories, seconds in windows)


def needed_lead(
    windows: list[tuple[int, float]], stories: int, per_second: float
) -> timedelta | None:
    """The shortest lead that keeps every story on time at this rate, or None when the
    night's work takes longer than a day (then every night starts behind) or the lead
    would pass the template's largest LeadHours."""
    if stories / per_second > DAY:
        return None
    wanted = max(count / per_second - seconds for count, seconds in windows)
    if wanted > MAX_LEAD_HOURS * 3600:
        return None
    return timedelta(minutes=math.ceil(max(wanted, 0.0) / 60))


# --- the printed report ------------------------------------------------------------------
def render(outcome: Outcome, seed: int) -> str:
    lines = [
        f"One night of Bedtime Stories, simulated: {outcome.families:,} families "
        f"in {outcome.zones} time zones (seed {seed})",
        f"Night of {outcome.night}, bedtimes 18:30-20:30 local, made "
        f"{_duration(outcome.lead.total_seconds())} ahead (LeadHours)",
        "",
        *_stage_table(outcome.stages),
        "",
        *_depth_lines(outcome),
        "",
        *_timeliness_lines(outcome),
        "",
        *_verdict(outcome),
    ]
    return "\n".join(lines)


def _stage_table(stages: list[StageOutcome]) -> list[str]:
    header = (
        f"{'stage':<10} {'provider':<24} {'cap':>4} {'limit':>9} {'calls':>8} "
        f"{'night at limit':>14} {'busy':>5} {'throttles':>9} {'needs':>9}"
    )
    rows = [
        f"{s.name:<10} {s.provider:<24} {s.cap:>4} {_rate(s.limit_per_second):>9} "
        f"{s.calls:>8,} {s.night_hours:>12.1f} h {s.utilisation:>5.0%} {s.throttles:>9,} "
        f"{_rate(s.needed_per_second):>9}"
        for s in stages
    ]
    notes = [
        "night at limit: the night's calls at the stage's steady rate (its limit, or cap ÷",
        "  seconds a call if lower); busy: worker time over (cap x the stage's active window);",
        "  needs: the rate that would finish every story within the lead, at least.",
    ]
    return [header, *rows, *notes]


def _depth_lines(outcome: Outcome) -> list[str]:
    width = max(len(s.hourly_depth) for s in outcome.stages)
    start = outcome.first_hour
    end = start + timedelta(hours=width - 1)
    lines = [
        f"Messages waiting, the most in each UTC hour, {start:%Y-%m-%d %H}:00 "
        f"to {end:%Y-%m-%d %H}:00:",
        f"{'':<10} {_ruler(start.hour, width)}",
    ]
    for stage in outcome.stages:
        most = max(stage.hourly_depth, default=0)
        lines.append(f"{stage.name:<10} {_sparkline(stage.hourly_depth)}  most {most:,}")
    return lines


def _ruler(first_hour: int, width: int) -> str:
    marks = [" "] * (width + 1)
    for index in range(width):
        hour = (first_hour + index) % 24
        if hour % 6 == 0 and index + 2 <= width + 1:
            marks[index : index + 2] = f"{hour:02d}"
    return "".join(marks).rstrip()


def _sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top == 0:
        return "·" * len(values)
    return "".join(
        "·" if value == 0 else SPARKS[min(len(SPARKS) - 1, value * len(SPARKS) // (top + 1))]
        for value in values
    )


def _timeliness_lines(outcome: Outcome) -> list[str]:
    ahead = outcome.ahead
    if ahead:
        median = ahead[len(ahead) // 2]
        p99 = ahead[math.floor(0.01 * (len(ahead) - 1))]
        after = " (negative: after it)" if ahead[0] < 0 else ""
        readiness = (
            f"Ready ahead of bedtime{after}: median {_duration(median)}, "
            f"99% at least {_duration(p99)}, least {_duration(ahead[0])}"
        )
    else:
        readiness = "Ready ahead of bedtime: no story was ready"
    return [
        readiness,
        f"Late (emailed after bedtime): {outcome.late:,}    "
        f"Lost (not ready {_duration(LOST_AFTER.total_seconds())} after bedtime): "
        f"{outcome.lost:,}",
        f"Pictures painted offline (not painted when bedtime came): {outcome.painted_offline:,}"
        f"    Paid pictures unused (bedtime came first): {outcome.unused:,}",
        f"Families {outcome.families:,}, events {outcome.events:,}, wall time {outcome.wall:.2f} s",
    ]


def _verdict(outcome: Outcome) -> list[str]:
    if outcome.on_time and not outcome.painted_offline:
        return ["On time: every story was ready before its bedtime."]
    if outcome.on_time:
        return [
            "On time: every story was ready at its bedtime, but "
            f"{outcome.painted_offline:,} pictures were painted offline.",
            *[
                line
                for s in outcome.stages
                if s.name == "painting"
                for line in _advice(s, outcome.lead)
            ],
        ]
    late = outcome.late + outcome.lost
    lines = [f"NOT ON TIME: {late:,} of {outcome.families:,} stories late or lost."]
    for stage in outcome.stages:
        if stage.needed_per_second > stage.steady_per_second:
            lines += _advice(stage, outcome.lead)
    if len(lines) == 1:
        lines.append(
            "  No stage is short on average: the late ones met a busy moment. A little more"
            " headroom (a higher limit or a longer lead) clears them."
        )
    return lines


def _advice(stage: StageOutcome, lead: timedelta) -> list[str]:
    lines = [
        f"  {stage.name}: the night's {stage.calls_per_night:,} calls take "
        f"{stage.night_hours:.1f} h at {_rate(stage.steady_per_second)}; on time with a "
        f"{_duration(lead.total_seconds())} lead needs about {_rate(stage.needed_per_second)}: "
        f"ask {stage.provider} for a higher limit."
    ]
    if stage.needed_lead is None:
        lines.append(f"  No lead up to {MAX_LEAD_HOURS} h is enough at today's rate.")
    else:
        lines.append(f"  Or lengthen LeadHours to {_duration(stage.needed_lead.total_seconds())}.")
    return lines


def _rate(per_second: float) -> str:
    if per_second >= 1:
        return f"{per_second:.3g}/s"
    return f"{per_second * 60:.3g}/min"


def _duration(seconds: float) -> str:
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours and minutes:
        return f"{sign}{hours} h {minutes} m"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{minutes} m" if minutes else f"{sign}{seconds:.0f} s"
