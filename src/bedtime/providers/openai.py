"""OpenAI through the official client: structured story text, gpt-image pictures, speech."""

from __future__ import annotations

import base64

import openai

from bedtime.briefs import Draft, PictureBrief, StoryBrief
from bedtime.prompts import STORY_SYSTEM, picture_prompt, story_prompt
from bedtime.providers import STORY_SCHEMA, Narration, ProviderError, draft_from_json


def openai_client(api_key: str | None, base_url: str | None, timeout: float) -> openai.OpenAI:
    """The client retries 429, 5xx and timeouts itself, with jittered exponential backoff."""
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2)


def _provider_error(error: openai.OpenAIError) -> ProviderError:
    retryable = isinstance(
        error, openai.APITimeoutError | openai.APIConnectionError | openai.RateLimitError
    ) or (isinstance(error, openai.APIStatusError) and error.status_code >= 500)
    request_id = getattr(error, "request_id", None)
    return ProviderError(f"OpenAI: {error}", retryable=retryable, request_id=request_id)


class OpenAIStoryWriter:
    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str) -> None:
        self._client = client
        self.model = model

    def write(self, brief: StoryBrief) -> Draft:
        try:
            completion = self._client.chat.completions.create(
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
            raise _provider_error(error) from error
        message = completion.choices[0].message
        if message.refusal:
            raise ProviderError(f"OpenAI refused: {message.refusal}", request_id=completion.id)
        return draft_from_json(message.content or "", "OpenAI", completion.id)


class OpenAIPainter:
    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str, quality: str) -> None:
        self._client = client
        self._model = model
        self._quality = quality

    def paint(self, brief: PictureBrief) -> bytes:
        try:
            result = self._client.images.generate(
                model=self._model,
                prompt=picture_prompt(brief),
                size="1024x1024",
                quality=self._quality,
                n=1,
            )
        except openai.OpenAIError as error:
            raise _provider_error(error) from error
        if not result.data or not result.data[0].b64_json:
            raise ProviderError("OpenAI returned no image data")
        return base64.b64decode(result.data[0].b64_json)


class OpenAIVoice:
    """OpenAI text-to-speech; it gives no timings, so the page estimates them."""

    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str, voice: str) -> None:
        self._client = client
        self._model = model
        self._voice = voice

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration:
        text = "\n\n".join((title, *paragraphs))
        try:
            response = self._client.audio.speech.create(
                model=self._model, voice=self._voice, input=text, response_format="mp3"
            )
        except openai.OpenAIError as error:
            raise _provider_error(error) from error
        return Narration(mp3=response.content)


class OpenAIModerator:
    """OpenAI's moderation endpoint; a check that cannot be made counts as flagged."""

    def __init__(self, client: openai.OpenAI, model: str = "omni-moderation-latest") -> None:
        self._client = client
        self._model = model

    def flagged(self, text: str) -> bool:
        try:
            result = self._client.moderations.create(model=self._model, input=text)
        except openai.OpenAIError:
            return True
        return any(item.flagged for item in result.results)
