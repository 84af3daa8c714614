"""`make bench`'s rows for the offline storyteller: how much nights repeat each other,
how hard the words are, and how long the narration lasts against its target."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from itertools import pairwise

from bedtime.catalog import Entry
from bedtime.providers.offline.quality import (
    MAX_REUSE,
    MAX_SHARED,
    WEEK,
    max_line_reuse,
    narration_minutes,
    nights,
    shared_line_ratio,
    weeks,
)
from bedtime.readability import MAX_GRADE, reading_grade

CHARACTERS = (Entry("Pip", "a small brave hedgehog"), Entry("Luna", "a wise old owl"))
SCENE = Entry("Moonlit Bay", "a calm beach with a lighthouse")
NIGHTS = 10
AGE = 5
MINUTES_TOLERANCE = 0.20

RowMaker = Callable[[str, str, str, bool | None], object]


def storyteller_rows(row: RowMaker, minutes_to_try: tuple[float, ...] = (3, 6, 10)) -> list:
    rows = []
    names = [c.name for c in CHARACTERS] + [SCENE.name]
    for minutes in minutes_to_try:
        drafts = nights(CHARACTERS, SCENE, NIGHTS, minutes, AGE)
        shared = max(shared_line_ratio(a, b, names) for a, b in pairwise(drafts))
        reuse = max(max_line_reuse(week, names) for week in weeks(drafts))
        titles = all(len({d.title for d in week}) == WEEK for week in weeks(drafts))
        grades = [reading_grade(" ".join(d.paragraphs)) for d in drafts]
        heard = narration_minutes(drafts[0])
        label = f"{minutes:g} min, age {AGE}"
        rows += [
            row(
                f"nights share ({label})",
                f"{shared:.2f} most, night to next",
                f"< {MAX_SHARED:.2f}",
                shared < MAX_SHARED,
            ),
            row(
                f"line reuse ({label})",
                f"{reuse} stories at most, any {WEEK} nights; titles differ: {titles}",
                f"<= {MAX_REUSE}",
                reuse <= MAX_REUSE and titles,
            ),
            row(
                f"reading grade ({label})",
                f"{statistics.mean(grades):.1f} mean, {max(grades):.1f} most",
                f"<= {MAX_GRADE[AGE]}",
                max(grades) <= MAX_GRADE[AGE],
            ),
            row(
                f"narration ({label})",
                f"{heard:.1f} min",
                f"{minutes:g} min ± {MINUTES_TOLERANCE:.0%}",
                abs(heard - minutes) <= minutes * MINUTES_TOLERANCE,
            ),
        ]
    return rows
