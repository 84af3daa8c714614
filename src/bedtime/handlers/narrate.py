"""NarrateFunction: StoryCreated → narration (and line marks) in S3 → the story record."""

from __future__ import annotations

from typing import Any

from bedtime import services
from bedtime.handlers.media_task import handle_story_created
from bedtime.narrating import narrate
from bedtime.observability import logger
from bedtime.providers.factory import voice
from bedtime.settings import settings


@logger.inject_lambda_context
def handler(event: Any, context: Any) -> dict:
    s = settings()
    chosen = voice(s)
    return handle_story_created(
        event,
        context,
        "audio",
        lambda story: narrate(story, chosen, services.media_store(), s.story_language),
    )
