"""`make family`'s listing as a tired parent reads it: every address, with the ones that
get no email marked, and columns that stay put however long a family's name is."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import boto3

from bedtime import services
from bedtime.records.families import SUPPRESSED, Family
from bedtime_tools import __main__ as tools
from bedtime_tools.family_table import NAME_LIMIT, family_table
from bedtime_tools.target import Target

NAN = Family(
    "nan",
    ZoneInfo("Europe/London"),
    name="Nan's house",
    emails=("nan@example.com", "Grandad@Example.com", "old@example.com"),
)
LONG_ID = "the-very-long-family-of-bartholomew-smyt"  # forty characters, the most an id has
LONG = Family(
    LONG_ID,
    ZoneInfo("America/Argentina/Buenos_Aires"),
    name="The Bartholomew-Smythe-Fortescue family of Little Snoring",
    bedtime=time(7, 5),
    story_minutes=10,
    emails=("parents@example.com",),
)
WIDE = Family("wide", ZoneInfo("Asia/Tokyo"), name="ゆきちゃんのいえ", emails=("y@example.jp",))


def test_make_family_lists_unsubscribed_and_suppressed_addresses_marked(
    aws, monkeypatch, capsys
) -> None:
    # Given a family one of whose addresses unsubscribed and another bounced
    families = services.family_store()
    families.save(NAN)
    families.stop_emailing("nan", "grandad@example.com")
    families.stop_emailing("nan", "old@example.com", SUPPRESSED)
    target = Target("stack s", boto3.client, {"FamiliesTable": "FamiliesTable"}, print, False)
    monkeypatch.setattr(tools, "stack_target", lambda stack: target)
    # When make family lists the families
    assert tools.main(["family", "--stack", "s"]) == 0
    # Then every address is there, each that gets no email marked with why
    [row] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("nan ")]
    assert row.endswith(
        "nan@example.com, Grandad@Example.com (unsubscribed),"
        " old@example.com (suppressed: bounced or complained)"
    )


def test_long_and_wide_names_keep_every_column_in_place() -> None:
    heading, *rows = family_table([NAN, LONG, WIDE])
    bedtime_column = heading.index("BEDTIME")
    for row, family in zip(rows, (NAN, LONG, WIDE), strict=True):
        columns_before = display_width(row[: row.index(f"{family.bedtime:%H:%M}")])
        assert columns_before == bedtime_column, "\n".join([heading, *rows])
    assert rows[1].startswith(LONG_ID + " ")  # an id is what REMOVE= takes: never cut
    assert "The Bartholomew-Smythe-…" in rows[1] and "Little Snoring" not in rows[1]
    assert len("The Bartholomew-Smythe-…") == NAME_LIMIT


def display_width(text: str) -> int:
    """As a terminal shows it: each of the test's Japanese characters takes two columns."""
    return sum(2 if "\u3040" <= c <= "\u30ff" else 1 for c in text)
