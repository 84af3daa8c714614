"""The nightly schedule, read from the template's ScheduleV2 event and kept in its time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bedtime.local.template import Resolver, TemplateError, resources

_CRON = re.compile(r"cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)")


@dataclass(frozen=True)
class Schedule:
    function: str
    hour: int
    minute: int
    zone: ZoneInfo
    input_template: str

    def next_after(self, now: datetime) -> datetime:
        local = now.astimezone(self.zone)
        fire = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if fire <= local:
            fire = (local + timedelta(days=1)).replace(
                hour=self.hour, minute=self.minute, second=0, microsecond=0
            )
        return fire

    def event(self, fire: datetime) -> str:
        scheduled = fire.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.input_template.replace("<aws.scheduler.scheduled-time>", scheduled)


def nightly_schedule(template: dict, resolver: Resolver) -> Schedule:
    for function, spec in resources(template, "AWS::Serverless::Function").items():
        for event in spec.get("Events", {}).values():
            if event["Type"] != "ScheduleV2":
                continue
            wanted = ("ScheduleExpression", "ScheduleExpressionTimezone", "Input")
            properties = resolver.resolve(
                {k: v for k, v in event["Properties"].items() if k in wanted}
            )
            match = _CRON.fullmatch(properties["ScheduleExpression"])
            if not match:
                raise TemplateError(
                    f"the local run follows daily cron(M H * * ? *) schedules, "
                    f"not {properties['ScheduleExpression']}"
                )
            return Schedule(
                function=function,
                minute=int(match.group(1)),
                hour=int(match.group(2)),
                zone=ZoneInfo(properties.get("ScheduleExpressionTimezone", "UTC")),
                input_template=properties.get("Input", "{}"),
            )
    raise TemplateError("template.yaml declares no ScheduleV2 event")
