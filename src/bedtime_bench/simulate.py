"""`make simulate FAMILIES=10000`: one night for many families, simulated event by event.

Families live in real time zones, weighted roughly by where families live, with
bedtimes between 18:30 and 20:30 local time. Each night is planned with
bedtime.families.planning, the lead and the stage caps are template.yaml's parameter defaults, and
the providers' rate limits and typical durations are planning.PROVIDER_LIMITS.

    python -m bedtime_bench.simulate --families 10000 [--seed 1] [--lead-hours 3]
        [--rate painting=20/min] [--cap painting=13] [--night 2026-12-01]

Prints one report; exits 0 when no story is late or lost, else 1.
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from bedtime.families.planning import (
    PROVIDER_LIMITS,
    NightPlan,
    ProviderLimit,
    plan_night,
    polly_requests,
    stage_concurrency,
    story_characters,
)
from bedtime_bench.night import Night, StageSpec
from bedtime_bench.night_report import Outcome, render, summarise
from bedtime_local.template import load_template

NIGHT = date(2026, 12, 1)
BEDTIMES = (18 * 60 + 30, 20 * 60 + 30)  # minutes after local midnight, both included
# Where families live, roughly: weights are shares of families, not of people.
ZONES: tuple[tuple[str, float], ...] = (
    ("America/New_York", 6),
    ("America/Chicago", 4),
    ("America/Denver", 1.5),
    ("America/Phoenix", 0.5),
    ("America/Los_Angeles", 4),
    ("America/Anchorage", 0.2),
    ("Pacific/Honolulu", 0.3),
    ("America/Toronto", 1.5),
    ("America/Mexico_City", 4),
    ("America/Bogota", 2),
    ("America/Lima", 1.5),
    ("America/Santiago", 1),
    ("America/Sao_Paulo", 6),
    ("America/Argentina/Buenos_Aires", 2),
    ("Europe/London", 3),
    ("Europe/Paris", 3),
    ("Europe/Berlin", 3.5),
    ("Europe/Madrid", 2),
    ("Europe/Rome", 2.5),
    ("Europe/Warsaw", 1.5),
    ("Europe/Kyiv", 1),
    ("Europe/Istanbul", 3),
    ("Europe/Moscow", 3),
    ("Africa/Casablanca", 1),
    ("Africa/Lagos", 6),
    ("Africa/Cairo", 3.5),
    ("Africa/Nairobi", 3),
    ("Africa/Johannesburg", 2),
    ("Asia/Dubai", 1),
    ("Asia/Tehran", 2),
    ("Asia/Karachi", 3),
    ("Asia/Kolkata", 10),
    ("Asia/Kathmandu", 0.5),
    ("Asia/Dhaka", 3),
    ("Asia/Bangkok", 2),
    ("Asia/Jakarta", 4),
    ("Asia/Manila", 3),
    ("Asia/Shanghai", 6),
    ("Asia/Seoul", 1.5),
    ("Asia/Tokyo", 3),
    ("Australia/Perth", 0.3),
    ("Australia/Adelaide", 0.3),
    ("Australia/Sydney", 1.2),
    ("Pacific/Auckland", 0.5),
)


@dataclass(frozen=True)
class Setup:
    """What the cloud runs with: the lead, each stage's cap and its provider's limit."""

    lead: timedelta
    caps: Mapping[str, int]
    limits: Mapping[str, ProviderLimit]

    def specs(self) -> list[StageSpec]:
        return [StageSpec(name, self.caps[name], limit) for name, limit in self.limits.items()]


def from_template(template: dict) -> Setup:
    """The template's parameter defaults: LeadHours, StoryMinutes and the stage caps."""
    parameters = template["Parameters"]
    limits = dict(PROVIDER_LIMITS)
    minutes = float(parameters["StoryMinutes"]["Default"])
    limits["narrating"] = replace(
        limits["narrating"], calls_per_story=polly_requests(story_characters(minutes))
    )
    caps = {name: int(parameters[limit.parameter]["Default"]) for name, limit in limits.items()}
    return Setup(timedelta(hours=float(parameters["LeadHours"]["Default"])), caps, limits)


def families(count: int, rng: random.Random, night: date, lead: timedelta) -> list[NightPlan]:
    """`count` families spread over ZONES, bedtimes uniform over 18:30-20:30 by the minute."""
    zones = {name: ZoneInfo(name) for name, _ in ZONES}
    picks = rng.choices([name for name, _ in ZONES], [weight for _, weight in ZONES], k=count)
    plans = []
    for number, name in enumerate(picks):
        bedtime = time(*divmod(rng.randint(*BEDTIMES), 60))
        plans.append(plan_night(f"family-{number:07d}", zones[name], bedtime, night, lead))
    return plans


def simulate(count: int, setup: Setup, seed: int = 1, night: date = NIGHT) -> Outcome:
    started = clock.perf_counter()
    rng = random.Random(seed)
    plans = families(count, rng, night, setup.lead)
    run = Night(plans, setup.specs(), rng).run()
    return summarise(run, setup.lead, len(ZONES), clock.perf_counter() - started)


# --- the command line -------------------------------------------------------------------
def _rate(text: str) -> tuple[str, float]:
    """STAGE=N/min or STAGE=N/s, e.g. painting=20/min -> (stage, calls a second)."""
    stage, _, rate = text.partition("=")
    number, _, unit = rate.partition("/")
    per = {"s": 1.0, "min": 60.0}.get(unit)
    if stage not in PROVIDER_LIMITS or per is None:
        raise argparse.ArgumentTypeError(f"expected STAGE=N/min or STAGE=N/s, not {text!r}")
    return stage, float(number) / per


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number above 0, not {text!r}")
    return int(text)


def _cap(text: str) -> tuple[str, int]:
    stage, _, number = text.partition("=")
    if stage not in PROVIDER_LIMITS or not number.isdigit():
        raise argparse.ArgumentTypeError(f"expected STAGE=N, not {text!r}")
    return stage, int(number)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=_positive, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lead-hours", type=float, help="default: the template's LeadHours")
    parser.add_argument("--night", type=date.fromisoformat, default=NIGHT)
    parser.add_argument(
        "--rate",
        type=_rate,
        action="append",
        default=[],
        help="a provider limit, e.g. painting=20/min; its burst and the stage's cap follow",
    )
    parser.add_argument("--cap", type=_cap, action="append", default=[], help="e.g. painting=13")
    return parser


def with_rate(limit: ProviderLimit, per_second: float) -> ProviderLimit:
    """The limit at another rate, its burst scaled alike (a higher tier raises both)."""
    burst = max(1.0, limit.burst * per_second / limit.per_second)
    return replace(limit, per_second=per_second, burst=burst)


def setup_from(arguments: argparse.Namespace, template: dict) -> Setup:
    setup = from_template(template)
    limits, caps = dict(setup.limits), dict(setup.caps)
    for stage, per_second in arguments.rate:
        limits[stage] = with_rate(limits[stage], per_second)
        caps[stage] = stage_concurrency(per_second, limits[stage].seconds_per_call)
    caps.update(arguments.cap)
    lead = setup.lead if arguments.lead_hours is None else timedelta(hours=arguments.lead_hours)
    return Setup(lead, caps, limits)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    setup = setup_from(arguments, load_template())
    outcome = simulate(arguments.families, setup, arguments.seed, arguments.night)
    print(render(outcome, arguments.seed))
    return 0 if outcome.on_time else 1


if __name__ == "__main__":
    sys.exit(main())
