"""A model's draft, measured: what makes it unusable, what a rewrite is told, and which
of two drafts is nearer the length and the reading grade wanted (docs/decisions.md,
"A model's draft is kept")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bedtime.providers.prompts import WORDS_PER_SENTENCE
from bedtime.records.briefs import Draft, StoryBrief
from bedtime.records.readability import MAX_GRADE, listener_age, reading_grade

SHORTEST_SHARE = 0.7  # shorter than this share of the words wanted: asked to write again
FAR_TOO_SHORT_SHARE = 0.4  # shorter than this: not a night's story; the offline one is told
GRADE_WEIGHT = 0.2  # one grade over the age's ceiling misses as much as a fifth of the length
LONG_SENTENCE_SHARE = 1.5  # a sentence this much longer than the age's is too long
LONG_SENTENCES_NAMED = 3
QUOTED_WORDS = 20
SENTENCE_END = re.compile("(?<=[.!?])[\"'\u201d\u2019)]*\\s+")  # after closing quotes


@dataclass(frozen=True)
class Measures:
    words: int
    words_wanted: int
    shortest: int  # fewer words than this: written again
    grade: float
    max_grade: float
    sentence_words: int  # the age's sentence length, in words
    long_sentences: tuple[str, ...]  # the longest of those over it, longest first

    @property
    def short(self) -> bool:
        return self.words < self.shortest

    @property
    def far_too_short(self) -> bool:
        return self.words < round(self.words_wanted * FAR_TOO_SHORT_SHARE)

    @property
    def too_hard(self) -> bool:
        return self.grade > self.max_grade

    @property
    def miss(self) -> float:
        """How far from the length and the grade wanted: 0 when on both."""
        length = abs(self.words - self.words_wanted) / self.words_wanted
        return length + GRADE_WEIGHT * max(0.0, self.grade - self.max_grade)

    def log_fields(self) -> dict[str, object]:
        return {
            "words": self.words,
            "words_wanted": self.words_wanted,
            "reading_grade": round(self.grade, 1),
            "max_grade": self.max_grade,
            "long_sentences": len(self.long_sentences),
        }


def measure(draft: Draft, brief: StoryBrief) -> Measures:
    text = _text(draft)
    age = listener_age(brief.listener_age)
    sentence_words = WORDS_PER_SENTENCE.get(age, 8)
    sentences = [" ".join(s.split()) for s in SENTENCE_END.split(text) if s.strip()]
    limit = round(sentence_words * LONG_SENTENCE_SHARE)
    too_long = dict.fromkeys(s for s in sentences if len(s.split()) > limit)
    long_ones = sorted(too_long, key=lambda s: -len(s.split()))
    return Measures(
        words=len(text.split()),
        words_wanted=brief.words_wanted,
        shortest=max(brief.min_words, round(brief.words_wanted * SHORTEST_SHARE)),
        grade=reading_grade(text),
        max_grade=MAX_GRADE[age],
        sentence_words=sentence_words,
        long_sentences=tuple(long_ones[:LONG_SENTENCES_NAMED]),
    )


def faults(draft: Draft, brief: StoryBrief, measures: Measures) -> list[str]:
    """What makes a draft no story for tonight, however it is rewritten."""
    found = []
    if not draft.title.strip():
        found.append("no title")
    text = _text(draft).casefold()
    for character in brief.characters:
        if character.name.casefold() not in text:
            found.append(f"{character.name} never appears")
    if measures.far_too_short:
        least = round(measures.words_wanted * FAR_TOO_SHORT_SHARE)
        found.append(f"{measures.words} words, far fewer than {least}")
    return found


def flaws(measures: Measures, age: int) -> list[str]:
    """What a rewrite should steer toward; a draft with only these is still kept."""
    found = []
    if measures.short and not measures.far_too_short:
        found.append(f"{measures.words} words, fewer than {measures.shortest}")
    if measures.too_hard:
        found.append(f"reading grade {measures.grade:.1f}, too hard for age {age}")
    return found


def rewrite_notes(measures: Measures, problems: list[str], age: int) -> tuple[str, ...]:
    """What the model is told when asked to write again: what was measured, in numbers."""
    notes = [
        f"It had {measures.words} words; write about {measures.words_wanted}, "
        f"never fewer than {measures.shortest}.",
        f"Its reading grade (Flesch-Kincaid) was {measures.grade:.1f}; a child of {age} "
        f"follows grade {measures.max_grade:.1f} or below: use shorter sentences and "
        "shorter, everyday words.",
    ]
    if measures.long_sentences:
        quoted = "; ".join(f'"{_quoted(s)}"' for s in measures.long_sentences)
        notes.append(
            f"These sentences were too long (keep to about {measures.sentence_words} "
            f"words): {quoted}."
        )
    notes += [f"Also: {problem}." for problem in problems if not _measured(problem)]
    return tuple(notes)


def _measured(problem: str) -> bool:
    return problem.split(" ", 1)[0].isdigit() or problem.startswith("reading grade")


def _quoted(sentence: str) -> str:
    words = sentence.split()
    return " ".join(words[:QUOTED_WORDS]) + (" …" if len(words) > QUOTED_WORDS else "")


def _text(draft: Draft) -> str:
    return " ".join(draft.paragraphs)
