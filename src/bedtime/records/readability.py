"""How hard a story's words are, and whether they are too hard for a listener's age.

The measure is the Flesch-Kincaid grade (textstat): longer sentences and longer words
make a higher US school grade. A story is heard, not read, and children follow spoken
language well above what they can read themselves. Read-aloud picture-book verse for
the youngest scores around grade 1 to 2 on this measure (names count: "Alexandrina"
weighs like any long word); the ceiling starts at the top of that at three and rises
by half a grade a year:

    age          3    4    5    6    7    8
    max grade   2.0  2.5  3.0  3.5  4.0  4.5

A story over its ceiling has sentences or words too long for the listener to follow.
"""

from __future__ import annotations

import textstat

YOUNGEST, OLDEST = 3, 8
MAX_GRADE = {3: 2.0, 4: 2.5, 5: 3.0, 6: 3.5, 7: 4.0, 8: 4.5}


def listener_age(age: int) -> int:
    return min(max(age, YOUNGEST), OLDEST)


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid grade of the text (about a US school grade; can be below 0)."""
    return float(textstat.flesch_kincaid_grade(text))


def too_hard(text: str, age: int) -> bool:
    """Whether the words are harder than a listener of this age (3-8) follows with ease."""
    return reading_grade(text) > MAX_GRADE[listener_age(age)]
