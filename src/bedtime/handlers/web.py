"""WebFunction: the reading site behind a Lambda function URL.

Its cold start is what a parent waits for at bedtime, so it carries only what the first
request needs: no Powertools, no model clients. It logs through the standard library;
the function's LoggingConfig (LogFormat JSON) turns each record into a JSON line.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bedtime import services
from bedtime.site.http import BadRequest, Request

logger = logging.getLogger("bedtime.web")


def handler(event: Any, context: Any) -> dict:
    started = time.perf_counter()
    try:
        request: Request | None = Request.from_event(event, services.settings().site_scheme)
    except BadRequest:
        request = None
    site = services.reading_site()
    response = site.respond(request) if request else site.respond_bad_request()
    logger.info(
        "%s %s %s",
        request.method if request else "-",
        request.path if request else "-",
        response.status,
        extra={"status": response.status, "ms": round((time.perf_counter() - started) * 1000, 1)},
    )
    return response.to_event(request)
