"""The one schedule the template declares: every minute, a tick finds the families whose
make time or bedtime has come since the last tick that finished, and sends each its
work: tonight's story to the writing queue, its bedtime to the bedtime queue.

A family is found by a key query (the Families table's ByBedtime index, by time zone and
local bedtime), never a scan; the time zones in use are kept in the Tick table by
FamiliesFunction. A tick that fails is caught up by the next one (up to CATCH_UP back).
Work sent twice is done once: its key is the family and the planned instant."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bedtime.families.planning import bedtime_instant, bedtimes_between, clock_ranges
from bedtime.records.families import Family

# How far back a tick looks when the ticks before it failed or never ran: a story made
# later than this after its make time would come hours past bedtime.
CATCH_UP = timedelta(hours=6)
TICK = timedelta(minutes=1)
COVERED, ZONES = "covered", "zones"


@dataclass(frozen=True)
class Work:
    """One family's make time or bedtime, come at `at`."""

    kind: Literal["make", "bedtime"]
    family: str
    at: datetime

    @property
    def message(self) -> dict[str, str]:
        """The event the writing queue (CreateStoryFunction) or the bedtime queue
        (NotifyFunction) takes; its scheduledTime is the work's idempotency key."""
        trigger = "schedule" if self.kind == "make" else "bedtime"
        stamp = self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"trigger": trigger, "family": self.family, "scheduledTime": stamp}


def work_between(family: Family, start: datetime, end: datetime, lead: timedelta) -> Iterator[Work]:
    """The family's make times and bedtimes in (start, end]; a make time is `lead`
    before its bedtime."""
    for bedtime in bedtimes_between(family.time_zone, family.bedtime, start + lead, end + lead):
        yield Work("make", family.id, bedtime - lead)
    for bedtime in bedtimes_between(family.time_zone, family.bedtime, start, end):
        yield Work("bedtime", family.id, bedtime)


def late_work(family: Family, now: datetime, lead: timedelta) -> list[Work]:
    """For a family just added, or whose bedtime or time zone just changed: tonight's
    story, when its make time has passed but its bedtime has not (the tick will not come
    back for it). Nothing otherwise: the tick sends what is still ahead."""
    zone = family.time_zone
    today = now.astimezone(zone).date()
    for night in (today, today + timedelta(days=1)):
        bedtime = bedtime_instant(zone, family.bedtime, night)
        if bedtime > now:
            return [Work("make", family.id, bedtime - lead)] if bedtime - lead <= now else []
    return []


class TickState:
    """The Tick table: how far the ticks have covered, and the families' time zones."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def covered(self) -> datetime | None:
        item = self._get(COVERED)
        return datetime.fromisoformat(item["through"]["S"]) if item else None

    def cover(self, through: datetime) -> None:
        """Record that every tick up to `through` is done, unless another tick has
        recorded a later one meanwhile (a slow tick never moves the mark back)."""
        condition = "attribute_not_exists(through) OR through < :through"
        # A later tick got there first: its mark stands.
        with contextlib.suppress(self._dynamodb.exceptions.ConditionalCheckFailedException):
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": COVERED}},
                UpdateExpression="SET through = :through",
                ConditionExpression=condition,
                ExpressionAttributeValues={":through": {"S": through.isoformat()}},
            )

    def zones(self) -> list[str]:
        item = self._get(ZONES)
        return sorted(item["zones"]["SS"]) if item else []

    def add_zone(self, zone: str) -> None:
        self._dynamodb.update_item(
            TableName=self._table,
            Key={"id": {"S": ZONES}},
            UpdateExpression="ADD zones :zone",
            ExpressionAttributeValues={":zone": {"SS": [zone]}},
        )

    def _get(self, key: str) -> dict | None:
        return self._dynamodb.get_item(
            TableName=self._table, Key={"id": {"S": key}}, ConsistentRead=True
        ).get("Item")


class WorkQueues:
    """Sends work to its queue: a make time to the writing queue, a bedtime to the
    bedtime queue (SendMessageBatch, ten at a time)."""

    def __init__(self, sqs: Any, writing_queue_url: str, bedtime_queue_url: str) -> None:
        self._sqs = sqs
        self._urls = {"make": writing_queue_url, "bedtime": bedtime_queue_url}

    def send(self, work: Sequence[Work]) -> int:
        sent = 0
        for kind, url in self._urls.items():
            batch = [item for item in work if item.kind == kind]
            for first in range(0, len(batch), 10):
                entries = [
                    {"Id": str(number), "MessageBody": json.dumps(item.message)}
                    for number, item in enumerate(batch[first : first + 10])
                ]
                failed = self._sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")
                if failed:
                    raise RuntimeError(f"{len(failed)} messages not sent to {url}: {failed}")
                sent += len(entries)
        return sent


def tick(
    at: datetime,
    state: TickState,
    families_at: Any,
    queues: WorkQueues,
    lead: timedelta,
) -> list[Work]:
    """Send the work that came due since the last tick that finished, through `at`.

    `families_at(zone, earliest, latest)` gives the families of a time zone whose local
    bedtime is between two clock times (FamilyStore.with_bedtime_between)."""
    covered = state.covered()
    start = max(covered or at - TICK, at - CATCH_UP)
    if start >= at:
        return []  # a late retry of a tick a later one has already covered
    work = [
        item
        for zone_name in state.zones()
        for family in _families_in(zone_name, start, at, lead, families_at)
        for item in work_between(family, start, at, lead)
    ]
    queues.send(work)
    state.cover(at)
    return work


def _families_in(
    zone_name: str, start: datetime, end: datetime, lead: timedelta, families_at: Any
) -> list[Family]:
    """The zone's families whose make time or bedtime may fall in (start, end]."""
    zone = ZoneInfo(zone_name)
    found: dict[str, Family] = {}
    for shift in (lead, timedelta(0)):
        for earliest, latest in clock_ranges(zone, start + shift, end + shift):
            found |= {family.id: family for family in families_at(zone, earliest, latest)}
    return list(found.values())
