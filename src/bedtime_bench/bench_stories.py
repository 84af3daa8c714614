"""`make bench`'s rows for the offline storyteller: how much nights repeat each other,
how hard the words are, and how long the narration lasts against its target."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise

from bedtime.providers.offline.characters import read_character
from bedtime.providers.offline.quality import (
    MAX_NEAR_COPIES,
    MAX_REUSE,
    MAX_SHARED,
    MIN_AGE_CHANGE,
    WEEK,
    age_change,
    has_thread,
    max_line_reuse,
    most_near_copies,
    narration_minutes,
    nights,
    own_lines,
    plans_differ,
    shared_line_ratio,
    tells_scene,
    titles_told,
    weeks,
)
from bedtime.records.catalog import Entry
from bedtime.records.readability import MAX_GRADE, reading_grade

CHARACTERS = (Entry("Pip", "a small brave hedgehog"), Entry("Luna", "a wise old owl"))
SCENE = Entry("Moonlit Bay", "a calm beach with a lighthouse")
# A cast no vocabulary knows: a kind without lines of its own, a place of no kind.
NEW_CAST = (
    Entry("Ember", "a clever fox with a green scarf"),
    Entry("Bolt", "a friendly robot with a blinking blue light"),
)
NEW_SCENE = Entry("the Willow Houseboat", "a houseboat on a slow river")
AGES_COMPARED = (3, 4, 6, 8)  # each age's story against the next age's, the same night
OWN_LINES = 10  # at least this many lines about each character alone, every night
NIGHTS = 10
AGE = 5
MINUTES_TOLERANCE = 0.20
LONG_MINUTES = 10  # a long night: the most lines a week must keep apart

RowMaker = Callable[[str, str, str, bool | None], object]
MINUTES = (3, 6, 10)


def story_rows(row: RowMaker) -> list:
    """Every row below, in this order, worked out on two processes, the longest nights
    first: the rows measure what the stories say, not how long they take to tell, so
    they may share the machine. `row` must pickle (a function of a module)."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        longest = pool.submit(storyteller_rows, row, (max(MINUTES),))
        new_cast = pool.submit(new_cast_rows, row)
        shorter = {m: pool.submit(storyteller_rows, row, (m,)) for m in MINUTES[-2::-1]}
        by_minutes = shorter | {max(MINUTES): longest}
        return [r for m in MINUTES for r in by_minutes[m].result()] + new_cast.result()


def storyteller_rows(row: RowMaker, minutes_to_try: tuple[float, ...] = MINUTES) -> list:
    rows = []
    names = [c.name for c in CHARACTERS] + [SCENE.name]
    for minutes in minutes_to_try:
        drafts = nights(CHARACTERS, SCENE, NIGHTS, minutes, AGE)
        shared = max(shared_line_ratio(a, b, names) for a, b in pairwise(drafts))
        reuse = max(max_line_reuse(week, names) for week in weeks(drafts))
        titles = all(len({d.title for d in week}) == WEEK for week in weeks(drafts))
        grades = [reading_grade(" ".join(d.paragraphs)) for d in drafts]
        heard = narration_minutes(drafts[0])
        near = most_near_copies(drafts, names)
        threads = sum(map(has_thread, drafts))
        plans = all(map(plans_differ, weeks(drafts)))
        label = f"{minutes:g} min, age {AGE}"
        rows += [
            row(
                f"plot thread ({label})",
                f"{threads} of {NIGHTS} nights: want early, turn, callback at the end",
                f"{NIGHTS} of {NIGHTS}",
                threads == NIGHTS,
            ),
            row(
                f"stanza plans ({label})",
                f"questions and plot in new places every night of a week: {plans}",
                "every night its own",
                plans,
            ),
            row(
                f"near-copy lines ({label})",
                f"{near:.2f} of a night's lines, most, in the rest of its {WEEK} nights",
                f"<= {MAX_NEAR_COPIES:.2f}",
                near <= MAX_NEAR_COPIES,
            ),
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


def new_cast_rows(row: RowMaker, minutes: float = 6, age: int = 7) -> list:
    """The measures of a story, not a list, for a cast the vocabulary has never seen."""
    drafts = nights(NEW_CAST, NEW_SCENE, WEEK, minutes, age)
    handles = [read_character(c).handle for c in NEW_CAST]
    names = [c.name for c in NEW_CAST] + handles + [NEW_SCENE.name]
    first, second = NEW_CAST
    scene_nights = sum(tells_scene(d, NEW_SCENE) for d in drafts)
    fewest = min(min(own_lines(d, first, second), own_lines(d, second, first)) for d in drafts)
    near = most_near_copies(drafts, names)
    label = f"fox, robot, houseboat; {minutes:g} min, age {age}"
    by_age = {a: nights(NEW_CAST, NEW_SCENE, 1, minutes, a)[0] for a in AGES_COMPARED}
    changes = {
        f"{a}->{b}": age_change(by_age[a], by_age[b], names) for a, b in pairwise(AGES_COMPARED)
    }
    long_week = nights(NEW_CAST, NEW_SCENE, WEEK, LONG_MINUTES, age)
    long_near = most_near_copies(long_week, names)
    return [
        row(
            f"age changes the story (fox, robot, houseboat; {minutes:g} min)",
            ", ".join(f"{ages}: {c:.2f}" for ages, c in changes.items()) + " of lines differ",
            f">= {MIN_AGE_CHANGE:.2f}",
            min(changes.values()) >= MIN_AGE_CHANGE,
        ),
        row(
            f"scene's own things ({label})",
            f"{scene_nights} of {WEEK} nights",
            f"{WEEK} of {WEEK}",
            scene_nights == WEEK,
        ),
        row(
            f"own lines each ({label})",
            f"{fewest} fewest, either character, any night",
            f">= {OWN_LINES}",
            fewest >= OWN_LINES,
        ),
        row(
            f"titles told ({label})",
            "; ".join(d.title for d in drafts),
            "each names what happens",
            titles_told(drafts, names),
        ),
        row(
            f"near-copy lines ({label})",
            f"{near:.2f} of a night's lines, most",
            f"<= {MAX_NEAR_COPIES:.2f}",
            near <= MAX_NEAR_COPIES,
        ),
        row(
            f"near-copy lines (fox, robot, houseboat; {LONG_MINUTES:g} min, age {age})",
            f"{long_near:.2f} of a night's lines, most",
            f"<= {MAX_NEAR_COPIES:.2f}",
            long_near <= MAX_NEAR_COPIES,
        ),
    ]
