"""EventBridge Scheduler, locally: the template's ScheduleV2 events fire on the local
clock (which CLOCK_SPEED can run faster), once for every minute their cron matches, with
`<aws.scheduler.scheduled-time>` in their Input filled in. Only cron's minute and hour
fields may be other than every day (`*`, `N`, `A/B`, `*/B` and lists of them); a
`rate(N minutes|hours|days)` fires on the minutes that are whole multiples of N since the
Unix epoch."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bedtime_local.template import TemplateError, resources

SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class LocalSchedule:
    function: str  # the target function's logical id
    minutes: str  # cron's minute field
    hours: str  # cron's hour field
    zone: ZoneInfo
    input: str
    every: int = 0  # a rate's interval in minutes; 0 for a cron

    def fires_between(self, start: datetime, end: datetime) -> list[datetime]:
        """Each minute in (start, end] that the cron matches, on its own clock."""
        minute = start.replace(second=0, microsecond=0) + MINUTE
        fires = []
        while minute <= end:
            if self._fires_at(minute):
                fires.append(minute)
            minute += MINUTE
        return fires

    def _fires_at(self, minute: datetime) -> bool:
        if self.every:
            return int(minute.timestamp()) // 60 % self.every == 0
        local = minute.astimezone(self.zone)
        return _matches(self.minutes, local.minute) and _matches(self.hours, local.hour)

    def event(self, fired: datetime) -> Any:
        stamp = fired.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.loads(self.input.replace(SCHEDULED_TIME, stamp))


def template_schedules(template: dict) -> list[LocalSchedule]:
    """Every ScheduleV2 event of the template's functions."""
    found = []
    for name, spec in resources(template, "AWS::Serverless::Function").items():
        for event in spec.get("Events", {}).values():
            if event["Type"] == "ScheduleV2":
                found.append(_schedule(name, event["Properties"]))
    return found


RATE_UNITS = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}


def _schedule(function: str, properties: dict) -> LocalSchedule:
    expression = properties["ScheduleExpression"]
    zone = ZoneInfo(properties.get("ScheduleExpressionTimezone", "UTC"))
    text = properties.get("Input", "{}")
    if expression.startswith("rate("):
        count, unit = expression.removeprefix("rate(").removesuffix(")").split()
        return LocalSchedule(function, "", "", zone, text, int(count) * RATE_UNITS[unit])
    fields = expression.removeprefix("cron(").removesuffix(")").split()
    if not expression.startswith("cron(") or len(fields) != 6:
        raise TemplateError(f"{function}: the local run follows cron(...) and rate(...) only")
    minutes, hours, *days = fields
    if any(day not in ("*", "?") for day in days):
        raise TemplateError(f"{function}: the local run follows daily crons only: {expression}")
    return LocalSchedule(function, minutes, hours, zone, text)


def _matches(field: str, value: int) -> bool:
    for part in field.split(","):
        first, _, step = part.partition("/")
        start = 0 if first == "*" else int(first)
        if step and value >= start and (value - start) % int(step) == 0:
            return True
        if not step and (first == "*" or value == start):
            return True
    return False


class LocalScheduler:
    """Call `tick()` often: each schedule fires for every matching minute that has passed
    since the previous call (from when the scheduler was made)."""

    def __init__(
        self,
        schedules: list[LocalSchedule],
        fire: Callable[[str, Any], None],
        now: Callable[[], datetime],
    ) -> None:
        self._schedules = schedules
        self._fire = fire
        self._now = now
        self._checked = now()

    def tick(self) -> None:
        now = self._now()
        for schedule in self._schedules:
            for fired in schedule.fires_between(self._checked, now):
                self._fire(schedule.function, schedule.event(fired))
        self._checked = now
