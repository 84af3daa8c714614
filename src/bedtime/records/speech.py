"""How a story is read aloud: one spoken line per line on the page, with pauses.

Every voice speaks these lines in this order and reports one speech mark per
line, so the page can highlight line N when mark N's time is reached. The last
stanzas are the wind-down: calmer, and read a little slower.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

LINE_PAUSE_MS = 350
STANZA_PAUSE_MS = 900
# Young listeners follow a story best at about 110-125 words a minute of narration,
# pauses included: slower than conversation (150+) and than an adult audiobook.
NARRATION_WORDS_PER_MINUTE = 115
MIN_STORY_WORDS = 200
WIND_DOWN_SHARE = 0.2  # the last fifth of the stanzas winds down to sleep


class SpokenLine(NamedTuple):
    """A tuple: the story page makes a hundred of these for every view."""

    text: str
    ends_stanza: bool
    winding_down: bool = False  # one of the last, calmer stanzas: read a little slower


def words_for_minutes(minutes: float) -> int:
    """How many words a story needs to last this long when read aloud at a child's pace."""
    return max(MIN_STORY_WORDS, round(minutes * NARRATION_WORDS_PER_MINUTE))


def wind_down_stanzas(stanza_count: int) -> int:
    """How many of a story's last stanzas wind down: a fifth of them, at least one."""
    if stanza_count <= 1:
        return 0
    return max(1, round(stanza_count * WIND_DOWN_SHARE))


def stanza_lines(paragraph: str) -> list[str]:
    """A stanza's lines as spoken and shown: stripped, blank lines dropped."""
    return [line for line in map(str.strip, paragraph.splitlines()) if line]


def spoken_lines(title: str, paragraphs: tuple[str, ...]) -> Iterator[SpokenLine]:
    yield SpokenLine(title, ends_stanza=True)
    calm_from = len(paragraphs) - wind_down_stanzas(len(paragraphs))
    for number, paragraph in enumerate(paragraphs):
        lines = stanza_lines(paragraph)
        for index, line in enumerate(lines):
            yield SpokenLine(
                line, ends_stanza=index == len(lines) - 1, winding_down=number >= calm_from
            )
