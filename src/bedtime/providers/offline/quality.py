"""Measures of the offline storyteller, for its tests and for `make bench`.

- shared_line_ratio: how much of one night's story another night repeats;
- max_line_reuse: the most stories any one line appears in;
- weeks: every run of five nights, over which a line may come twice at most;
- nights: consecutive nights told with the canon carried forward, as the app does;
- narration_minutes: how long the offline voice takes to read a story aloud;
- near_copy_share: how many of a night's lines the other nights of its week say almost
  the same way (difflib ratio >= NEAR), so nights differ in meaning, not only in strings;
- own_lines: the lines about one character alone, so both have their own;
- tells_scene: whether the story names a thing the scene's description names;
- titles_told: whether each title names only what its own story tells;
- has_thread: whether the night's plot thing is set up early, comes back between,
  and again in the second half (the want, the turn, the resolution that calls back);
- plan: where a night's questions and its plot fall, stanza by stanza, so a week's
  nights can be seen not to put them in the same places;
- age_change: how much of one age's story another age's, the same night, does not
  say almost the same way: age changes what happens, not only how long lines are.

Lines are compared with every name (characters and scene) replaced by one placeholder,
so "Pip found a shell" and "Luna found a shell" count as the same line.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

from bedtime.providers.offline.characters import read_character
from bedtime.providers.offline.scenes import own_things
from bedtime.providers.offline.story import (
    REMEMBERED_NIGHTS,
    OfflineStoryWriter,
    happens_in,
    plain_line,
    with_near_copies,
)
from bedtime.providers.offline.voice import record
from bedtime.records.briefs import Draft, PastNight, StoryBrief
from bedtime.records.catalog import Entry
from bedtime.records.speech import MIN_STORY_WORDS, spoken_lines, words_for_minutes

CANON_NIGHTS = 5  # how many past nights a brief carries
FIRST_NIGHT = date(2026, 1, 1)
# The variety a family hears: two nights in a row share under 30 % of their lines, and
# in any WEEK of nights (the storyteller remembers the four before tonight) no line
# comes in more than two stories.
MAX_SHARED = 0.30
MAX_REUSE = 2
WEEK = REMEMBERED_NIGHTS + 1
MAX_NEAR_COPIES = 0.20  # of a night's lines, with a near-copy in the rest of its week
MIN_AGE_CHANGE = 1 / 3  # of a night's lines, told another way for another age


def weeks(drafts: Sequence[Draft]) -> list[Sequence[Draft]]:
    """Every run of WEEK consecutive nights."""
    return [drafts[start : start + WEEK] for start in range(len(drafts) - WEEK + 1)]


def story_lines(draft: Draft, names: Sequence[str]) -> set[str]:
    """The story's lines as the storyteller tells them apart (`plain_line`)."""
    longest_first = sorted(names, key=len, reverse=True)
    lines = (line for paragraph in draft.paragraphs for line in paragraph.splitlines())
    return {plain for line in lines if (plain := plain_line(line, longest_first))}


def shared_line_ratio(first: Draft, second: Draft, names: Sequence[str]) -> float:
    """The share of lines the two stories have in common, of the shorter story's lines."""
    a, b = story_lines(first, names), story_lines(second, names)
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def max_line_reuse(drafts: Sequence[Draft], names: Sequence[str]) -> int:
    """The most stories any one line appears in (1: no line is ever repeated)."""
    counts = Counter(line for draft in drafts for line in story_lines(draft, names))
    return max(counts.values(), default=0)


def nights(
    catalog_characters: Sequence[Entry],
    scene: Entry,
    count: int,
    minutes: float,
    age: int = 5,
    seed: int = 1,
) -> list[Draft]:
    """`count` consecutive nights of offline stories, each brief holding the nights before
    it (newest first) as the app's canon does. With more than two characters, each night
    picks two of them."""
    rng = random.Random(seed)
    drafts: list[Draft] = []
    canon: list[PastNight] = []
    for index in range(count):
        pair = tuple(rng.sample(list(catalog_characters), 2))
        brief = StoryBrief(
            characters=(pair[0], pair[1]),
            scene=scene,
            language="en",
            min_words=MIN_STORY_WORDS,
            seed=rng.getrandbits(32),
            target_words=words_for_minutes(minutes),
            listener_age=age,
            canon=tuple(canon[:CANON_NIGHTS]),
        )
        draft = OfflineStoryWriter().write(brief)
        drafts.append(draft)
        night = PastNight(
            night=FIRST_NIGHT + timedelta(days=index),
            title=draft.title,
            summary=draft.summary,
            characters=tuple(c.name for c in pair),
            scene=scene.name,
            motifs=draft.motifs,
        )
        canon.insert(0, night)
    return drafts


def narration_minutes(draft: Draft, language: str = "en") -> float:
    """How long the offline voice reads the story for, pauses included."""
    return record(list(spoken_lines(draft.title, draft.paragraphs)), language).seconds / 60


def near_copy_share(night: Draft, others: Sequence[Draft], names: Sequence[str]) -> float:
    """The share of the night's lines with a near-copy (ratio >= NEAR) in the others."""
    mine = story_lines(night, names)
    theirs = [line for other in others for line in story_lines(other, names)]
    return len(with_near_copies(mine, theirs)) / len(mine) if mine else 0.0


def most_near_copies(drafts: Sequence[Draft], names: Sequence[str]) -> float:
    """The highest near_copy_share of any night against the other nights of its week."""
    return max(
        (
            near_copy_share(night, [o for o in week if o is not night], names)
            for week in weeks(drafts)
            for night in week
        ),
        default=0.0,
    )


def own_lines(draft: Draft, one: Entry, other: Entry) -> int:
    """How many lines are about `one` alone: named (in full or by handle), `other` not."""
    mine = {one.name, read_character(one).handle}
    theirs = {other.name, read_character(other).handle}
    lines = (line for paragraph in draft.paragraphs for line in paragraph.splitlines())
    return sum(
        1 for line in lines if any(n in line for n in mine) and not any(n in line for n in theirs)
    )


def tells_scene(draft: Draft, scene: Entry) -> bool:
    """Whether the story names one of the things the scene's description names."""
    text = " ".join(draft.paragraphs).casefold()
    return any(thing in text for thing in own_things(scene))


def titles_told(drafts: Sequence[Draft], names: Sequence[str]) -> bool:
    """Whether every title names only what its own story tells."""
    return all(happens_in(d.title, " ".join(d.paragraphs), names) for d in drafts)


def plot_thing(draft: Draft) -> str:
    """The thing tonight's plot is about ("red button"), as the storyteller noted it."""
    threads = (m for m in draft.motifs if m.startswith("thread-"))
    return next((m.partition(".")[2].replace("_", " ") for m in threads), "")


def thing_stanzas(draft: Draft) -> list[int]:
    """The stanzas that name the plot's thing."""
    thing = plot_thing(draft)
    return [i for i, p in enumerate(draft.paragraphs) if thing and thing in p.casefold()]


def has_thread(draft: Draft) -> bool:
    """The plot's thing named first in the first third of the stanzas (the want), last
    in the second half (the resolution that calls back to it, before the wind-down), and
    in a stanza between (the try or the turn)."""
    named, count = thing_stanzas(draft), len(draft.paragraphs)
    return len(named) >= 3 and 3 * named[0] < count and 2 * named[-1] >= count


def plan(draft: Draft) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Where the night's questions and its plot's thing fall, stanza by stanza."""
    asked = tuple(i for i, p in enumerate(draft.paragraphs) if "?" in p)
    return asked, tuple(thing_stanzas(draft))


def plans_differ(week: Sequence[Draft]) -> bool:
    """Whether no two nights of the week put their questions and plot in the same places."""
    return len({plan(d) for d in week}) == len(week)


def age_change(one: Draft, other: Draft, names: Sequence[str]) -> float:
    """The share of one age's lines that the other age's story has no near-copy of."""
    return 1 - near_copy_share(one, [other], names)
