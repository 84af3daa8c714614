"""What starts the work: the tick, at a family's make time (make tonight's story ahead
of bedtime) or its bedtime (deliver it), or someone asking for a story now (`make story`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bedtime.core import clock
from bedtime.records.families import FAMILY_ID
from bedtime.records.stories import HOME

# No schedule or queue of ours holds an event for long (Scheduler at most 24 hours, SQS
# at most 14 days); a time further off than this is no night at all, and near the ends
# of the calendar, adding the lead or a time zone to it would overflow.
FAR_FROM_NOW = timedelta(days=3653)


class BadRequest(ValueError):
    """An event we cannot act on; the message says why."""


@dataclass(frozen=True)
class StoryRequest:
    """A story wanted: made ahead at the family's make time (delivered `lead` later, at
    bedtime), or asked for now (delivered as soon as it is ready)."""

    trigger: str
    family: str
    at: datetime
    request_id: str | None
    lead: timedelta = timedelta(0)

    @property
    def idempotency_key(self) -> str | None:
        if self.trigger == "schedule":
            return f"schedule:{self.family}:{self.at.isoformat()}"
        return f"manual:{self.family}:{self.request_id}" if self.request_id else None

    @property
    def bedtime(self) -> datetime | None:
        """The bedtime the story is made for; None for a story asked for now."""
        return self.at + self.lead if self.trigger == "schedule" else None

    def night(self, zone: ZoneInfo) -> date:
        """The night the story is for: the date of its bedtime (or of now), where the
        family lives."""
        return (self.bedtime or self.at).astimezone(zone).date()

    @classmethod
    def from_event(cls, event: Any, now: datetime, lead: timedelta) -> StoryRequest:
        if not isinstance(event, Mapping):
            raise BadRequest(f"expected a JSON object, got {type(event).__name__}")
        trigger, family = event.get("trigger"), family_of(event)
        if trigger == "schedule":
            return cls("schedule", family, scheduled_time(event), None, lead)
        if trigger == "manual":
            request_id = event.get("requestId")
            if request_id is not None and not isinstance(request_id, str):
                raise BadRequest("requestId must be a string")
            return cls("manual", family, now, request_id)
        raise BadRequest(f'trigger must be "schedule" or "manual", got {trigger!r}')


@dataclass(frozen=True)
class Bedtime:
    """A family's bedtime has come: deliver tonight's story if it is ready."""

    family: str
    at: datetime

    @classmethod
    def from_event(cls, event: Any) -> Bedtime:
        if not isinstance(event, Mapping) or event.get("trigger") != "bedtime":
            raise BadRequest('a bedtime event is {"trigger": "bedtime", ...}')
        return cls(family_of(event), scheduled_time(event))


def family_of(event: Mapping) -> str:
    family = event.get("family", HOME)
    if not isinstance(family, str) or not FAMILY_ID.fullmatch(family):
        raise BadRequest(f"family must be a family id, got {family!r}")
    return family


def scheduled_time(event: Mapping) -> datetime:
    try:
        at = datetime.fromisoformat(str(event["scheduledTime"]).replace("Z", "+00:00"))
    except (KeyError, ValueError) as error:
        raise BadRequest("a scheduled event needs scheduledTime in ISO 8601") from error
    if at.tzinfo is None:
        raise BadRequest("scheduledTime needs a time zone (e.g. a trailing Z)")
    if abs(at - clock.now()) > FAR_FROM_NOW:
        raise BadRequest(f"scheduledTime {at.isoformat()} is not within ten years of now")
    return at
