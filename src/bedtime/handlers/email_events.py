"""EmailEventsFunction: SES's bounce and complaint events (from the configuration set,
on the default EventBridge bus) → the address suppressed in its family's item, counted
in the `AddressesSuppressed` metric the operator's alarm watches."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from bedtime import services
from bedtime.core.observability import logger
from bedtime.delivery.email_events import suppress

SUPPRESSED_METRIC = "AddressesSuppressed"


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    if isinstance(event, dict):
        marked = suppress(event, services.family_store())
    else:
        logger.error("ignoring an SES event that is not one")
        marked = []
    # Made per call, so its namespace (POWERTOOLS_METRICS_NAMESPACE) and its one
    # dimension (the service's name) are read from the environment the call runs in.
    metrics = Metrics()
    metrics.add_metric(name=SUPPRESSED_METRIC, unit=MetricUnit.Count, value=len(marked))
    metrics.flush_metrics()  # one EMF line on stdout, which CloudWatch makes a metric
    return {"suppressed": marked}
