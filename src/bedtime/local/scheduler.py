"""EventBridge Scheduler, locally: the schedules FamiliesFunction keeps (moto stores
them) fire at their cron time in their own time zone, on the local clock, which
CLOCK_SPEED can run faster. Only the daily `cron(M H * * ? *)` form is followed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bedtime.planning import bedtime_instant

_DAILY = re.compile(r"cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)")
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"


@dataclass(frozen=True)
class LocalSchedule:
    name: str
    hour: int
    minute: int
    zone: ZoneInfo
    target_arn: str
    input: str

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment` (UTC)."""
        local_day = moment.astimezone(self.zone).date()
        for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1)):
            fire = bedtime_instant(self.zone, time(self.hour, self.minute), day)
            if fire > moment:
                return fire
        raise AssertionError("a daily schedule fires within two days")

    def event(self, fired: datetime) -> Any:
        stamp = fired.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.loads(self.input.replace(SCHEDULED_TIME, stamp))


def read_schedule(described: dict) -> LocalSchedule | None:
    match = _DAILY.fullmatch(described["ScheduleExpression"])
    if not match:
        return None
    return LocalSchedule(
        name=described["Name"],
        minute=int(match.group(1)),
        hour=int(match.group(2)),
        zone=ZoneInfo(described.get("ScheduleExpressionTimezone") or "UTC"),
        target_arn=described["Target"]["Arn"],
        input=described["Target"].get("Input", "{}"),
    )


class LocalScheduler:
    """Call `tick()` often: each schedule fires every time its cron time has passed since
    the previous tick; a new or changed schedule counts from when it was made, as
    EventBridge Scheduler does."""

    def __init__(
        self,
        scheduler: Any,
        group: str,
        fire: Callable[[str, Any], None],
        now: Callable[[], datetime],
        when: Callable[[datetime], datetime] = lambda moment: moment,
    ) -> None:
        """`now` is the local clock; `when` turns a wall-clock moment (a schedule's last
        change, as the endpoint records it) into that clock's time."""
        self._scheduler = scheduler
        self._group = group
        self._fire = fire
        self._now = now
        self._when = when
        self._checked: dict[str, datetime] = {}
        self._known: dict[tuple[str, Any], tuple[LocalSchedule | None, datetime]] = {}

    def tick(self) -> None:
        now = self._now()
        for schedule, standing in self._schedules():
            since = max(self._checked.get(schedule.name, standing), standing)
            fire = schedule.next_after(since)
            while fire <= now:
                self._fire(schedule.target_arn, schedule.event(fire))
                fire = schedule.next_after(fire)
            self._checked[schedule.name] = now

    def _schedules(self) -> list[tuple[LocalSchedule, datetime]]:
        """Every schedule in the group, and since when it has stood as it is (its last
        change on the local clock, or when first seen); each read again only when it
        has changed."""
        known: dict[tuple[str, Any], tuple[LocalSchedule | None, datetime]] = {}
        pages = self._scheduler.get_paginator("list_schedules").paginate(GroupName=self._group)
        for page in pages:
            for summary in page["Schedules"]:
                changed = summary.get("LastModificationDate")
                version = (summary["Name"], changed)
                if version not in self._known:
                    described = self._scheduler.get_schedule(
                        Name=summary["Name"], GroupName=self._group
                    )
                    since = self._when(changed) if changed else self._now()
                    self._known[version] = (read_schedule(described), since)
                known[version] = self._known[version]
        self._known = known
        return [(schedule, since) for schedule, since in known.values() if schedule]
