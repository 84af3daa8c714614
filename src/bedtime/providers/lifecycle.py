"""Is each configured model still served, and until when? Asked of the providers themselves.

- OpenAI: `GET /v1/models/{id}` (`client.models.retrieve`) and its optional
  `shutdown_date` (YYYY-MM-DD); a model that is not found is gone. (OpenAI API docs,
  "Deprecations": "call the List models endpoint ... and check each model's optional
  shutdown_date field ... also available from the Retrieve a model endpoint".)
- Bedrock: `GetFoundationModel`, whose `modelDetails.modelLifecycle.status` is ACTIVE or
  LEGACY, with `endOfLifeTime` when AWS has set one; for a cross-region inference profile
  id, `GetInferenceProfile` first. (Amazon Bedrock user guide, "Model lifecycle"; API
  reference, "FoundationModelLifecycle".)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from bedtime.core.settings import Settings

if TYPE_CHECKING:
    import openai  # only the functions that paint or write with OpenAI ship it

WARNING_DAYS = 30
State = Literal["alive", "retiring", "gone"]
# The replacements OpenAI recommends, from its "Deprecations" page (developers.openai.com/
# api/docs/deprecations, read in a stored copy on 2026-12-03). Stored copies disagree on
# the version numbers (2.5 or 2.6, 5.6 or 6.1); this is the one on OpenAI's own page.
SUCCESSORS = {
    "gpt-image-1-mini": "gpt-image-2.6-flare",
    "gpt-image-1.5": "gpt-image-2.6-flare",
    "chatgpt-image-latest": "gpt-image-2.6-flare",
    "gpt-5-mini": "gpt-6.1-terra",
    "gpt-5": "gpt-6.1-sol",
}
# A cross-region inference profile id starts with its geography (template.yaml's
# BedrockTextModelIsProfile lists the same prefixes).
PROFILE_PREFIXES = ("us", "eu", "apac", "us-gov", "jp", "au", "ca", "global")


@dataclass(frozen=True)
class ConfiguredModel:
    parameter: str  # the template parameter that names it
    provider: Literal["openai", "bedrock"]
    model: str


@dataclass(frozen=True)
class ModelStatus:
    configured: ConfiguredModel
    state: State
    shutdown: date | None = None
    replacement: str | None = None

    @property
    def message(self) -> str:
        model, parameter = self.configured.model, self.configured.parameter
        if self.state == "alive":
            return f"{parameter}={model}: served" + (
                f", shuts down {self.shutdown:%d %b %Y}" if self.shutdown else ""
            )
        when = f"on {self.shutdown:%d %b %Y}" if self.shutdown else "soon"
        told = "has shut down" if self.state == "gone" else f"shuts down {when}"
        return f"{parameter}={model} {told}. To fix: {self.fix}"

    @property
    def fix(self) -> str:
        parameter = self.configured.parameter
        if self.replacement:
            return (
                f"deploy with {parameter}={self.replacement} (the provider's recommended "
                f"replacement): sam deploy --parameter-overrides {parameter}={self.replacement}"
            )
        return f"set {parameter} to a model the provider lists as active, and deploy again"


def configured_models(parameters: dict[str, str]) -> list[ConfiguredModel]:
    """The models the template's parameters put to use (a provider set to offline or polly
    uses none)."""
    chosen = []
    for provider_parameter, openai_model, bedrock_model in (
        ("StoryProvider", "StoryModel", "BedrockTextModel"),
        ("ImageProvider", "ImageModel", "BedrockImageModel"),
        ("SpeechProvider", "SpeechModel", None),
    ):
        provider = parameters.get(provider_parameter, "")
        if provider == "openai":
            chosen.append(ConfiguredModel(openai_model, "openai", parameters[openai_model]))
        elif provider == "bedrock" and bedrock_model:
            chosen.append(ConfiguredModel(bedrock_model, "bedrock", parameters[bedrock_model]))
    return chosen


def parameters_of(settings: Settings) -> dict[str, str]:
    """A running function's settings, under the template parameters' names."""
    return {
        "StoryProvider": settings.story_provider,
        "StoryModel": settings.story_model,
        "BedrockTextModel": settings.bedrock_text_model,
        "ImageProvider": settings.image_provider,
        "ImageModel": settings.image_model,
        "BedrockImageModel": settings.bedrock_image_model,
        "SpeechProvider": settings.speech_provider,
        "SpeechModel": settings.speech_model,
    }


def judged(configured: ConfiguredModel, shutdown: date | None, today: date) -> ModelStatus:
    replacement = SUCCESSORS.get(configured.model)
    if shutdown is None:
        return ModelStatus(configured, "alive", replacement=replacement)
    if shutdown <= today:
        state: State = "gone"
    elif shutdown - today <= timedelta(days=WARNING_DAYS):
        state = "retiring"
    else:
        state = "alive"
    return ModelStatus(configured, state, shutdown, replacement)


def openai_status(client: openai.OpenAI, configured: ConfiguredModel, today: date) -> ModelStatus:
    import openai

    try:
        found = client.models.retrieve(configured.model)
    except openai.NotFoundError:
        return ModelStatus(configured, "gone", replacement=SUCCESSORS.get(configured.model))
    shutdown = found.shutdown_date
    return judged(configured, date.fromisoformat(shutdown) if shutdown else None, today)


def bedrock_status(bedrock: Any, configured: ConfiguredModel, today: date) -> ModelStatus:
    """`bedrock` is a boto3 client for the control-plane service "bedrock"."""
    model = configured.model
    try:
        if model.split(".", 1)[0] in PROFILE_PREFIXES:
            profile = bedrock.get_inference_profile(inferenceProfileIdentifier=model)
            if profile.get("status") != "ACTIVE":
                return ModelStatus(configured, "gone")
            model = model.split(".", 1)[1]
        details = bedrock.get_foundation_model(modelIdentifier=model)["modelDetails"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("ResourceNotFoundException",):
            return ModelStatus(configured, "gone")
        raise
    lifecycle = details.get("modelLifecycle", {})
    if lifecycle.get("status") != "LEGACY":
        return ModelStatus(configured, "alive")
    end: datetime | None = lifecycle.get("endOfLifeTime")
    if end is None:  # Legacy with no date yet: at least six months to go, still a warning
        return ModelStatus(configured, "retiring")
    status = judged(configured, end.date(), today)
    return status if status.state != "alive" else ModelStatus(configured, "retiring", end.date())


def check_models(
    models: list[ConfiguredModel],
    openai_client: openai.OpenAI | None,
    bedrock: Callable[[], Any] | None,
    today: date,
) -> tuple[list[ModelStatus], list[str]]:
    """Each model's status, and what could not be asked (no key, no credentials, no
    answer): a check that cannot be made is reported, never taken for a verdict."""
    import openai

    statuses, skipped = [], []
    for configured in models:
        named = f"{configured.parameter}={configured.model}"
        try:
            if configured.provider == "openai":
                if openai_client is None:
                    skipped.append(f"{named}: no OpenAI key")
                    continue
                statuses.append(openai_status(openai_client, configured, today))
            elif bedrock is None:
                skipped.append(f"{named}: no AWS credentials")
            else:
                statuses.append(bedrock_status(bedrock(), configured, today))
        except (openai.OpenAIError, ClientError, BotoCoreError) as error:
            skipped.append(f"{named}: the provider could not be asked ({error})")
    return statuses, skipped
