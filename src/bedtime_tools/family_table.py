"""`make family`'s listing: a row a family under a heading, each column as wide as its
widest cell. A name longer than NAME_LIMIT ends in an ellipsis (an id is never cut: it
is what `REMOVE=` and `FAMILY=` take). Every address is shown, with what stops its
email, if anything does."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bedtime.delivery.email_message import one_line
from bedtime.records.families import Family

NAME_LIMIT = 24
HEADINGS = ("FAMILY", "NAME", "BEDTIME", "TIME ZONE", "AGE", "MINUTES", "EMAIL")
GAP = "  "


def family_table(families: Sequence[Family]) -> list[str]:
    rows = [HEADINGS, *(_row(family) for family in families)]
    widths = [max(_width(row[column]) for row in rows) for column in range(len(HEADINGS) - 1)]
    return [
        GAP.join(_padded(cell, width) for cell, width in zip(row, widths, strict=False))
        + GAP
        + row[-1]
        for row in rows
    ]


def addresses(family: Family) -> str:
    """The family's addresses, each marked when it gets no email, and why."""
    if not family.emails:
        return "no email"
    return ", ".join(email + _stopped(family, email) for email in family.emails)


def _stopped(family: Family, email: str) -> str:
    address = email.strip().lower()
    if address in family.suppressed:
        return " (suppressed: bounced or complained)"
    if address in family.unsubscribed:
        return " (unsubscribed)"
    return ""


def _row(family: Family) -> tuple[str, ...]:
    return (
        family.id,
        one_line(family.name, NAME_LIMIT),
        f"{family.bedtime:%H:%M}",
        family.time_zone.key,
        str(family.listener_age),
        f"{family.story_minutes:g}",
        addresses(family),
    )


def _width(text: str) -> int:
    """Columns the text takes in a terminal: a wide (East Asian) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
