"""Pick providers by settings; heavy clients are imported only when chosen.

Providers are built per invocation, with that invocation's Budget, and never raise
while being built: a missing key surfaces when the provider is used, inside the code
that records a failure or falls back to the offline storyteller.
"""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING, Any

from bedtime.core.settings import Settings
from bedtime.providers import (
    KeyMissing,
    Moderator,
    Narration,
    Painter,
    ProviderError,
    StoryWriter,
    Voice,
)
from bedtime.providers.budget import Budget, provider_client
from bedtime.providers.degrading import Degrading, Report, log_only
from bedtime.providers.lifecycle import ConfiguredModel
from bedtime.records.briefs import Draft, PictureBrief, StoryBrief
from bedtime.records.catalog import Entry

if TYPE_CHECKING:
    pass

OPENAI_SPEECH_VOICE = "sage"
# A Polly neural voice per story language, when SpeechVoice is left empty
KEY_CACHE_SECONDS = 300
POLLY_VOICES = {"en": "Joanna", "es": "Lucia", "fr": "Lea", "de": "Vicki", "it": "Bianca"}


class Unavailable:
    """A provider that could not be built: using it raises why (e.g. KeyMissing)."""

    model = "unavailable"

    def __init__(self, name: str, error: ProviderError) -> None:
        self.name = name
        self.error = error

    def write(self, brief: StoryBrief) -> Draft:
        raise self.error

    def paint(self, brief: PictureBrief) -> bytes:
        raise self.error

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration:
        raise self.error

    def look(self, character: Entry) -> str:
        raise self.error


def story_writer(settings: Settings, budget: Budget, report: Report = log_only) -> StoryWriter:
    """The configured writer; when its model is gone, the successor (if allowed), then the
    offline storyteller (providers/degrading.py)."""
    if settings.story_provider == "openai":
        from bedtime.providers.openai import OpenAIStoryWriter

        return Degrading(
            ConfiguredModel("StoryModel", "openai", settings.story_model),
            lambda model: _with_openai(
                settings, lambda client: OpenAIStoryWriter(client, model, budget)
            ),
            offline_story_writer,
            settings.allow_model_successor,
            report,
        )
    if settings.story_provider == "bedrock":
        from bedtime.providers.bedrock import BedrockStoryWriter

        return Degrading(
            ConfiguredModel("BedrockTextModel", "bedrock", settings.bedrock_text_model),
            lambda model: BedrockStoryWriter(
                partial(provider_client, "bedrock-runtime"),
                model,
                budget,
                settings.bedrock_guardrail,
            ),
            offline_story_writer,
            settings.allow_model_successor,
            report,
        )
    return offline_story_writer()


def moderator(settings: Settings, budget: Budget) -> Moderator | None:
    """OpenAI's moderation for OpenAI stories; Bedrock checks with its guardrail in the call."""
    if settings.story_provider != "openai":
        return None
    from bedtime.providers.openai import OpenAIModerator

    moderation = _with_openai(settings, lambda client: OpenAIModerator(client, budget))
    return moderation if isinstance(moderation, OpenAIModerator) else None


def paints_with_a_model(settings: Settings) -> bool:
    """A model paints (and needs each character's look); the offline painter draws each
    kind of character the same way by itself."""
    return settings.image_provider in ("openai", "bedrock")


def offline_story_writer() -> StoryWriter:
    from bedtime.providers.offline.story import OfflineStoryWriter

    return OfflineStoryWriter()


def painter(settings: Settings, budget: Budget, report: Report = log_only) -> Painter:
    """The configured painter; when its model is gone, the successor (if allowed), then the
    offline painter (providers/degrading.py)."""
    if settings.image_provider == "openai":
        from bedtime.providers.openai import OpenAIPainter

        return Degrading(
            ConfiguredModel("ImageModel", "openai", settings.image_model),
            lambda model: _with_openai(
                settings,
                lambda client: OpenAIPainter(client, model, settings.image_quality, budget),
            ),
            offline_painter,
            settings.allow_model_successor,
            report,
        )
    if settings.image_provider == "bedrock":
        from bedtime.providers.bedrock import BedrockPainter

        return Degrading(
            ConfiguredModel("BedrockImageModel", "bedrock", settings.bedrock_image_model),
            lambda model: BedrockPainter(
                partial(provider_client, "bedrock-runtime"), model, budget
            ),
            offline_painter,
            settings.allow_model_successor,
            report,
        )
    return offline_painter()


def offline_painter() -> Painter:
    from bedtime.providers.offline.picture import OfflinePainter

    return OfflinePainter()


def voice(settings: Settings, budget: Budget, report: Report = log_only) -> Voice:
    """The configured voice; when OpenAI's speech model is gone, the successor (if
    allowed), then Polly (the offline voice has no Lambda build)."""
    if settings.speech_provider == "polly":
        return _polly(settings, budget, settings.speech_voice)
    if settings.speech_provider == "openai":
        from bedtime.providers.openai import OpenAIVoice

        return Degrading(
            ConfiguredModel("SpeechModel", "openai", settings.speech_model),
            lambda model: _with_openai(
                settings,
                lambda client: OpenAIVoice(
                    client, model, settings.speech_voice or OPENAI_SPEECH_VOICE, budget
                ),
            ),
            lambda: _polly(settings, budget, ""),
            settings.allow_model_successor,
            report,
        )
    from bedtime.providers.offline.voice import OfflineVoice

    return OfflineVoice()


def openai_client_for(settings: Settings) -> Any:
    """An OpenAI client with the stack's key, or None while no key is set."""
    from bedtime.providers.openai import openai_client

    try:
        return openai_client(_openai_key(settings.openai_key_secret), settings.openai_base_url)
    except KeyMissing:
        return None


def _polly(settings: Settings, budget: Budget, voice_id: str) -> Voice:
    from bedtime.providers.polly import PollyVoice

    language = settings.story_language
    return PollyVoice(
        partial(provider_client, "polly"),
        voice_id or POLLY_VOICES.get(language, "Joanna"),
        budget,
    )


def _with_openai(settings: Settings, build: Any) -> Any:
    from bedtime.providers.openai import openai_client

    try:
        key = _openai_key(settings.openai_key_secret)
        return build(openai_client(key, settings.openai_base_url))
    except ProviderError as error:
        return Unavailable("openai", error)


def _openai_key(secret_id: str | None) -> str | None:
    """The key from Secrets Manager in the cloud, cached for a few minutes so that a key
    put in the secret is used soon after; locally, the environment."""
    if secret_id is None:
        return os.environ.get("OPENAI_API_KEY")
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    from bedtime.providers.openai import KEY_FIX

    try:
        return str(get_secret(secret_id, max_age=KEY_CACHE_SECONDS))
    except GetParameterError as error:
        raise KeyMissing(
            f"cannot read the OpenAI key from {secret_id}: {error}", KEY_FIX
        ) from error
