"""TickFunction: the template's one schedule, every minute. Sends each family whose make
time or bedtime has come since the last tick its work (bedtime.families.tick)."""

from __future__ import annotations

from typing import Any

from bedtime import services
from bedtime.core.observability import logger
from bedtime.core.settings import settings
from bedtime.families.tick import tick
from bedtime.families.triggers import BadRequest, scheduled_time


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    try:
        if not isinstance(event, dict) or event.get("trigger") != "tick":
            raise BadRequest('a tick is {"trigger": "tick", "scheduledTime": ...}')
        at = scheduled_time(event)
    except BadRequest as error:
        logger.error("ignoring malformed tick", error=str(error))
        return {"error": str(error)}
    work = tick(
        at,
        services.tick_state(),
        services.family_store().with_bedtime_between,
        services.work_queues(),
        settings().lead,
    )
    if work:
        logger.info("tick sent work", at=at.isoformat(), sent=[w.message for w in work])
    return {"scheduledTime": event["scheduledTime"], "sent": len(work)}
