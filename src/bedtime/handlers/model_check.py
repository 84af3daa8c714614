"""ModelCheckFunction: once a week, asks the providers whether each configured model is
still served; a model gone or retiring within 30 days raises the operator's alarm once."""

from __future__ import annotations

from typing import Any

from bedtime import services
from bedtime.core import clock
from bedtime.core.clients import client
from bedtime.core.observability import logger
from bedtime.core.settings import settings
from bedtime.providers.factory import openai_client_for
from bedtime.providers.lifecycle import check_models, configured_models, parameters_of
from bedtime.providers.model_alarm import alarm_for


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    s = settings()
    now = clock.now()
    statuses, skipped = check_models(
        configured_models(parameters_of(s)),
        openai_client_for(s),
        lambda: client("bedrock"),
        now.date(),
    )
    for reason in skipped:
        logger.warning("model not checked", reason=reason)
    return {"models": alarm_for(statuses, services.model_alarm(), now), "skipped": skipped}
