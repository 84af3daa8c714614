"""Each family's two schedules in the stack's schedule group: one makes tonight's story
ahead of bedtime (a message on the writing queue), one delivers it at bedtime (the
notify function). EventBridge Scheduler keeps them in the family's own time zone."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bedtime.families import Family
from bedtime.planning import schedule_expressions

RETRIES = {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}


@dataclass(frozen=True)
class Targets:
    """Where the schedules send their events, and who they send them as."""

    group: str
    role_arn: str
    writing_queue_arn: str
    notify_function_arn: str
    failures_queue_arn: str


def schedule_names(family_id: str) -> tuple[str, str]:
    return f"{family_id}-make", f"{family_id}-deliver"


class FamilySchedules:
    def __init__(self, scheduler: Any, targets: Targets, lead: timedelta) -> None:
        self._scheduler = scheduler
        self._targets = targets
        self._lead = lead

    def put(self, family: Family) -> None:
        """Create the family's schedules, or move them to its new bedtime or time zone."""
        make_cron, deliver_cron = schedule_expressions(family.bedtime, self._lead)
        make_name, deliver_name = schedule_names(family.id)
        targets = self._targets
        self._put(make_name, make_cron, family, targets.writing_queue_arn, "schedule")
        self._put(deliver_name, deliver_cron, family, targets.notify_function_arn, "bedtime")

    def remove(self, family_id: str) -> None:
        gone = self._scheduler.exceptions.ResourceNotFoundException
        for name in schedule_names(family_id):
            with contextlib.suppress(gone):  # already gone: removing twice is fine
                self._scheduler.delete_schedule(Name=name, GroupName=self._targets.group)

    def _put(self, name: str, cron: str, family: Family, target_arn: str, trigger: str) -> None:
        event = {"trigger": trigger, "family": family.id}
        # Scheduler fills in the time it fired for (EventBridge Scheduler user guide,
        # "Adding context attributes"): the idempotency key of that night's work.
        text = json.dumps(event)[:-1] + ', "scheduledTime": "<aws.scheduler.scheduled-time>"}'
        request = {
            "Name": name,
            "GroupName": self._targets.group,
            "ScheduleExpression": cron,
            "ScheduleExpressionTimezone": family.time_zone.key,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": target_arn,
                "RoleArn": self._targets.role_arn,
                "Input": text,
                "RetryPolicy": RETRIES,
                "DeadLetterConfig": {"Arn": self._targets.failures_queue_arn},
            },
            "State": "ENABLED",
        }
        try:
            self._scheduler.create_schedule(**request)
        except self._scheduler.exceptions.ConflictException:
            self._scheduler.update_schedule(**request)
