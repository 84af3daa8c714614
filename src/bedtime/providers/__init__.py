"""Story, picture and speech providers behind small protocols.

Providers know nothing about DynamoDB or Lambda: they turn a brief into
words, a picture or sound. `factory` picks one by settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from bedtime.records.briefs import Draft, PictureBrief, StoryBrief
from bedtime.records.catalog import Entry


@dataclass(frozen=True)
class Narration:
    """MP3 audio and, where the voice can tell, one mark per spoken line
    (see bedtime.records.speech)."""

    mp3: bytes
    line_marks: list[dict] | None = None
    duration_ms: int | None = None


class ProviderError(Exception):
    """A provider call failed after its own retries; `retryable` says if later may work,
    `throttled` that the provider's rate limit refused it (it will pass later: the work
    goes back to its queue, never marked failed)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        request_id: str | None = None,
        throttled: bool = False,
    ):
        super().__init__(message)
        self.retryable = retryable or throttled
        self.request_id = request_id
        self.throttled = throttled


class ModelGone(ProviderError):
    """The provider no longer serves this model (retired, or never there): no retry helps.
    Recognised from the provider's own answer (OpenAI's `model_not_found`, Bedrock's
    ResourceNotFoundException), never from a message's wording."""

    def __init__(self, message: str, model: str, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.model = model


class KeyMissing(ProviderError):
    """The provider's key is missing or was refused; `fix` says how to add it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def draft_from_json(data: Any, provider: str, request_id: str | None = None) -> Draft:
    """A Draft from a model's structured output, or a ProviderError saying why not."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise ProviderError(
                f"{provider} returned malformed story JSON", request_id=request_id
            ) from error
    title = data.get("title") if isinstance(data, dict) else None
    paragraphs = data.get("paragraphs") if isinstance(data, dict) else None
    if (
        not isinstance(title, str)
        or not isinstance(paragraphs, list)
        or not all(isinstance(p, str) for p in paragraphs)
    ):
        raise ProviderError(
            f"{provider} story JSON lacks a title and paragraphs", request_id=request_id
        )
    summary = data.get("summary") if isinstance(data.get("summary"), str) else ""
    return Draft(
        title=title.strip(),
        paragraphs=tuple(p.strip() for p in paragraphs if p.strip()),
        summary=" ".join(str(summary).split())[:300],
    )


STORY_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "paragraphs": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": "string"},
    },
    "required": ["title", "paragraphs", "summary"],
    "additionalProperties": False,
}


class StoryWriter(Protocol):
    name: str
    model: str

    def write(self, brief: StoryBrief) -> Draft: ...


class Painter(Protocol):
    name: str

    def paint(self, brief: PictureBrief) -> bytes: ...


class Voice(Protocol):
    name: str

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration: ...


class Describer(Protocol):
    def look(self, character: Entry) -> str:
        """One sentence on how to paint the character, the same every night."""
        ...


class Moderator(Protocol):
    def flagged(self, text: str) -> bool: ...
