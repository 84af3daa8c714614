"""IllustrateFunction: StoryCreated → a picture in S3 → the story record."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from bedtime import services
from bedtime.core import clock
from bedtime.core.observability import logger
from bedtime.core.settings import settings
from bedtime.handlers.media_task import handle_media
from bedtime.media.illustrating import paint_picture
from bedtime.providers.budget import Budget
from bedtime.providers.factory import offline_painter, painter


@logger.inject_lambda_context(clear_state=True, correlation_id_path=correlation_paths.EVENT_BRIDGE)
def handler(event: Any, context: Any) -> dict:
    return handle_media(
        event,
        context,
        "image",
        lambda story: paint_picture(
            story,
            painter(settings(), Budget.of(context), services.report_model_gone),
            services.media_store(),
            fallback=offline_painter,
            now=clock.now(),
        ),
    )
