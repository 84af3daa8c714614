"""OpenAI through the official client: structured story text, gpt-image pictures, speech.

Every call is planned against the invocation's Budget: the client's timeout and
retries (429, 5xx and timeouts, with jittered backoff) are set per call to fit.
"""

from __future__ import annotations

import base64

import openai

from bedtime.core.settings import ImageQuality
from bedtime.providers import (
    STORY_SCHEMA,
    KeyMissing,
    ModelGone,
    Narration,
    ProviderError,
    draft_from_json,
)
from bedtime.providers.budget import Budget, CallSpec
from bedtime.providers.prompts import (
    LOOK_SYSTEM,
    STORY_SYSTEM,
    look_prompt,
    picture_prompt,
    story_prompt,
)
from bedtime.records.briefs import Draft, PictureBrief, StoryBrief
from bedtime.records.catalog import Entry

# openai-python waits at most 8 s between attempts, or what a Retry-After header asks
# for when that is 60 s or less.
_MAX_BACKOFF = 60.0
STORY_CALL = CallSpec(timeout=90, attempts=3, max_backoff=_MAX_BACKOFF)
IMAGE_CALL = CallSpec(timeout=180, attempts=2, max_backoff=_MAX_BACKOFF)
SPEECH_CALL = CallSpec(timeout=120, attempts=2, max_backoff=_MAX_BACKOFF)
MODERATION_CALL = CallSpec(timeout=30, attempts=2, max_backoff=_MAX_BACKOFF)
LOOK_CALL = CallSpec(timeout=15, attempts=1, max_backoff=_MAX_BACKOFF)
SPEECH_INPUT_LIMIT = 4096  # characters per speech request (OpenAI API reference)
KEY_FIX = (
    "put your OpenAI key in the stack's secret (the output OpenAIApiKeySecretArn): "
    "aws secretsmanager put-secret-value --secret-id <OpenAIApiKeySecretArn> "
    "--secret-string 'sk-...'; locally, set OPENAI_API_KEY"
)


def openai_client(api_key: str | None, base_url: str | None) -> openai.OpenAI:
    if not api_key:
        raise KeyMissing("no OpenAI key is set", fix=KEY_FIX)
    return openai.OpenAI(api_key=api_key, base_url=base_url)


# The error codes OpenAI answers a retired or unknown model with (API reference, "Error
# codes"); a 404 from an endpoint that takes a model means the same.
MODEL_GONE_CODES = ("model_not_found", "model_deprecated")


def _provider_error(error: openai.OpenAIError, model: str = "") -> ProviderError:
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return KeyMissing(f"OpenAI refused the key: {error}", fix=KEY_FIX)
    if model and (
        isinstance(error, openai.NotFoundError)
        or (isinstance(error, openai.APIStatusError) and error.code in MODEL_GONE_CODES)
    ):
        return ModelGone(f"OpenAI no longer serves {model}: {error}", model, error.request_id)
    retryable = isinstance(error, openai.APITimeoutError | openai.APIConnectionError) or (
        isinstance(error, openai.APIStatusError) and error.status_code >= 500
    )
    request_id = getattr(error, "request_id", None)
    return ProviderError(
        f"OpenAI: {error}",
        retryable=retryable,
        request_id=request_id,
        throttled=isinstance(error, openai.RateLimitError),
    )


class _OpenAICaller:
    def __init__(self, client: openai.OpenAI, budget: Budget) -> None:
        self._client = client
        self._budget = budget

    def _planned(self, spec: CallSpec) -> openai.OpenAI:
        plan = self._budget.plan(spec)
        return self._client.with_options(timeout=plan.timeout, max_retries=plan.retries)


class OpenAIStoryWriter(_OpenAICaller):
    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str, budget: Budget) -> None:
        super().__init__(client, budget)
        self.model = model

    def write(self, brief: StoryBrief) -> Draft:
        try:
            completion = self._planned(STORY_CALL).chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": STORY_SYSTEM},
                    {"role": "user", "content": story_prompt(brief)},
                ],
                response_format={
                    "type": "json_schema",
                    "json_schema": {
                        "name": "bedtime_story",
                        "strict": True,
                        "schema": STORY_SCHEMA,
                    },
                },
            )
        except openai.OpenAIError as error:
            raise _provider_error(error, self.model) from error
        message = completion.choices[0].message
        if message.refusal:
            raise ProviderError(f"OpenAI refused: {message.refusal}", request_id=completion.id)
        return draft_from_json(message.content or "", "OpenAI", completion.id)

    def look(self, character: Entry) -> str:
        try:
            completion = self._planned(LOOK_CALL).chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": LOOK_SYSTEM},
                    {"role": "user", "content": look_prompt(character)},
                ],
            )
        except openai.OpenAIError as error:
            raise _provider_error(error, self.model) from error
        return " ".join((completion.choices[0].message.content or "").split())


class OpenAIPainter(_OpenAICaller):
    name = "openai"

    def __init__(
        self, client: openai.OpenAI, model: str, quality: ImageQuality, budget: Budget
    ) -> None:
        super().__init__(client, budget)
        self._model = model
        self._quality = quality

    def paint(self, brief: PictureBrief) -> bytes:
        try:
            result = self._planned(IMAGE_CALL).images.generate(
                model=self._model,
                prompt=picture_prompt(brief),
                size="1024x1024",
                quality=self._quality,
                n=1,
            )
        except openai.OpenAIError as error:
            raise _provider_error(error, self._model) from error
        if not result.data or not result.data[0].b64_json:
            raise ProviderError("OpenAI returned no image data")
        return base64.b64decode(result.data[0].b64_json)


class OpenAIVoice(_OpenAICaller):
    """OpenAI text-to-speech; it gives no timings, so the page estimates them."""

    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str, voice: str, budget: Budget) -> None:
        super().__init__(client, budget)
        self._model = model
        self._voice = voice

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration:
        mp3 = b""
        for text in speech_requests((title, *paragraphs)):
            try:
                response = self._planned(SPEECH_CALL).audio.speech.create(
                    model=self._model, voice=self._voice, input=text, response_format="mp3"
                )
            except openai.OpenAIError as error:
                raise _provider_error(error, self._model) from error
            mp3 += response.content  # MP3 frames play on from one file into the next
        return Narration(mp3=mp3)


def speech_requests(parts: tuple[str, ...]) -> list[str]:
    """Whole paragraphs per request, each request within the speech input limit."""
    requests: list[str] = []
    for part in parts:
        if requests and len(requests[-1]) + 2 + len(part) <= SPEECH_INPUT_LIMIT:
            requests[-1] += "\n\n" + part
        else:
            requests.append(part[:SPEECH_INPUT_LIMIT])
    return requests


class OpenAIModerator(_OpenAICaller):
    """OpenAI's moderation endpoint; a check that cannot be made counts as flagged."""

    def __init__(
        self, client: openai.OpenAI, budget: Budget, model: str = "omni-moderation-latest"
    ) -> None:
        super().__init__(client, budget)
        self._model = model

    def flagged(self, text: str) -> bool:
        try:
            result = self._planned(MODERATION_CALL).moderations.create(
                model=self._model, input=text
            )
        except (openai.OpenAIError, ProviderError):
            return True
        return any(item.flagged for item in result.results)
