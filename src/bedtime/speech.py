"""How a story is read aloud: one spoken line per line on the page, with pauses.

Every voice speaks these lines in this order and reports one speech mark per
line, so the page can highlight line N when mark N's time is reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

LINE_PAUSE_MS = 350
STANZA_PAUSE_MS = 900


@dataclass(frozen=True)
class SpokenLine:
    text: str
    ends_stanza: bool


def spoken_lines(title: str, paragraphs: tuple[str, ...]) -> Iterator[SpokenLine]:
    yield SpokenLine(title, ends_stanza=True)
    for paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        for index, line in enumerate(lines):
            yield SpokenLine(line, ends_stanza=index == len(lines) - 1)
