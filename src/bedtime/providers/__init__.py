"""Story, picture and speech providers behind small protocols.

Providers know nothing about DynamoDB or Lambda: they turn a brief into
words, a picture or sound. `factory` picks one by settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bedtime.catalog import Entry


@dataclass(frozen=True)
class StoryBrief:
    characters: tuple[Entry, Entry]
    scene: Entry
    language: str
    min_words: int
    seed: int


@dataclass(frozen=True)
class Draft:
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class PictureBrief:
    title: str
    characters: tuple[str, ...]
    scene: str
    opening: str
    seed: int


@dataclass(frozen=True)
class Narration:
    """MP3 audio and, where the voice can tell, one mark per spoken line (see bedtime.speech)."""

    mp3: bytes
    line_marks: list[dict] | None = None


class ProviderError(Exception):
    """A provider call failed after its own retries; `retryable` says if later may work."""

    def __init__(self, message: str, *, retryable: bool = False, request_id: str | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.request_id = request_id


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
