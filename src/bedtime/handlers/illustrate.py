"""IllustrateFunction: StoryCreated → a picture in S3 → the story record."""

from __future__ import annotations

from typing import Any

from bedtime import services
from bedtime.handlers.media_task import handle_story_created
from bedtime.illustrating import paint_picture
from bedtime.observability import logger
from bedtime.providers.factory import painter
from bedtime.settings import settings


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict:
    chosen = painter(settings())
    return handle_story_created(
        event, context, "image", lambda story: paint_picture(story, chosen, services.media_store())
    )
