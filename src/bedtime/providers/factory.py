"""Pick providers by settings; heavy clients are imported only when chosen."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from bedtime.clients import client
from bedtime.providers import Moderator, Painter, StoryWriter, Voice
from bedtime.settings import Settings

if TYPE_CHECKING:
    import openai

OPENAI_SPEECH_MODEL = "gpt-4o-mini-tts"
OPENAI_SPEECH_VOICE = "sage"
# A Polly neural voice per story language, when SpeechVoice is left empty
POLLY_VOICES = {"en": "Joanna", "es": "Lucia", "fr": "Lea", "de": "Vicki", "it": "Bianca"}


def story_writer(settings: Settings) -> StoryWriter:
    if settings.story_provider == "openai":
        from bedtime.providers.openai import OpenAIStoryWriter

        return OpenAIStoryWriter(_openai(settings, timeout=90), settings.story_model)
    if settings.story_provider == "bedrock":
        from bedtime.providers.bedrock import BedrockStoryWriter

        return BedrockStoryWriter(
            client("bedrock-runtime"), settings.bedrock_text_model, settings.bedrock_guardrail
        )
    return offline_story_writer()


def moderator(settings: Settings) -> Moderator | None:
    """OpenAI's moderation for OpenAI stories; Bedrock checks with its guardrail in the call."""
    if settings.story_provider != "openai":
        return None
    from bedtime.providers.openai import OpenAIModerator

    return OpenAIModerator(_openai(settings, timeout=30))


def offline_story_writer() -> StoryWriter:
    from bedtime.providers.offline.story import OfflineStoryWriter

    return OfflineStoryWriter()


def painter(settings: Settings) -> Painter:
    if settings.image_provider == "openai":
        from bedtime.providers.openai import OpenAIPainter

        return OpenAIPainter(
            _openai(settings, timeout=240), settings.image_model, settings.image_quality
        )
    from bedtime.providers.offline.picture import OfflinePainter

    return OfflinePainter()


def voice(settings: Settings) -> Voice:
    if settings.speech_provider == "polly":
        from bedtime.providers.polly import PollyVoice

        language = settings.story_language
        return PollyVoice(
            client("polly"), settings.speech_voice or POLLY_VOICES.get(language, "Joanna")
        )
    if settings.speech_provider == "openai":
        from bedtime.providers.openai import OpenAIVoice

        return OpenAIVoice(
            _openai(settings, timeout=120),
            OPENAI_SPEECH_MODEL,
            settings.speech_voice or OPENAI_SPEECH_VOICE,
        )
    from bedtime.providers.offline.voice import OfflineVoice

    return OfflineVoice()


def _openai(settings: Settings, timeout: float) -> openai.OpenAI:
    from bedtime.providers.openai import openai_client

    return openai_client(_openai_key(settings.openai_key_secret), settings.openai_base_url, timeout)


@cache
def _openai_key(secret_id: str | None) -> str | None:
    """The key from Secrets Manager in the cloud (read once per container); locally, the env."""
    if secret_id is None:
        return os.environ.get("OPENAI_API_KEY")
    from aws_lambda_powertools.utilities.parameters import get_secret

    return get_secret(secret_id)
