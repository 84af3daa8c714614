"""What a writer, a painter and a voice are asked for, and what a writer hands back.

These are the domain's own types: the domain builds them, the prompts read them,
and the providers turn them into words, pictures or sound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bedtime.records.catalog import Entry


@dataclass(frozen=True)
class PastNight:
    """One night of the family's canon, kept after the story itself has expired."""

    night: date
    title: str
    summary: str
    characters: tuple[str, ...]
    scene: str
    motifs: tuple[str, ...] = ()  # what the offline storyteller used, so it can vary
    rating: int = 0  # +1 "We loved it", -1 "Not for us", 0 not rated


@dataclass(frozen=True)
class StoryBrief:
    characters: tuple[Entry, Entry]
    scene: Entry
    language: str
    min_words: int
    seed: int
    target_words: int = 0  # about this many words; 0: min_words
    listener_age: int = 5
    canon: tuple[PastNight, ...] = ()  # the last few nights, newest first
    returning_hero: bool = False  # the first character is a series' hero, back every night
    rewrite: tuple[str, ...] = ()  # what was measured in the last draft, when asked again

    @property
    def words_wanted(self) -> int:
        return max(self.min_words, self.target_words)


@dataclass(frozen=True)
class Draft:
    title: str
    paragraphs: tuple[str, ...]
    summary: str = ""  # one line for the canon
    motifs: tuple[str, ...] = ()


@dataclass(frozen=True)
class PictureBrief:
    title: str
    characters: tuple[Entry, ...]
    scene: Entry
    opening: str
    seed: int
