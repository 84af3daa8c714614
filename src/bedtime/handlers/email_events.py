"""EmailEventsFunction: SES's bounce and complaint events (from the configuration set,
on the default EventBridge bus) → the address suppressed in its family's item."""

from __future__ import annotations

from typing import Any

from bedtime import services
from bedtime.core.observability import logger
from bedtime.delivery.email_events import suppress


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    if not isinstance(event, dict):
        logger.error("ignoring an SES event that is not one")
        return {"suppressed": []}
    return {"suppressed": suppress(event, services.family_store())}
