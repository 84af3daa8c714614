"""`make run`'s refusals before it starts anything: a mistyped bedtime or time zone is
named by the variable that set it, with what was probably meant."""

from __future__ import annotations

import pytest

from bedtime_local.__main__ import main


@pytest.mark.parametrize(
    ("variable", "value", "named", "hint"),
    [
        ("STORY_TIME_ZONE", "Europe/Londn", "STORY_TIME_ZONE", "Did you mean Europe/London"),
        ("STORY_TIME_ZONE", "london", "STORY_TIME_ZONE", "not an IANA time zone"),
        ("STORY_TIME", "7pm", "STORY_TIME", 'not a time such as "19:15"'),
        ("STORY_TIME", "19.15", "STORY_TIME", 'not a time such as "19:15"'),
    ],
)
def test_a_mistyped_bedtime_setting_is_named_alone(
    monkeypatch, capsys, variable, value, named, hint
) -> None:
    # Given one setting mistyped and the other right
    monkeypatch.setenv("STORY_TIME", "19:15")
    monkeypatch.setenv("STORY_TIME_ZONE", "Europe/London")
    monkeypatch.setenv(variable, value)
    # When make run starts
    code = main(["--port", "8699"])  # refused before the port is taken
    # Then it refuses, naming only the setting that was wrong
    error = capsys.readouterr().err
    assert code == 2
    assert error.rstrip().endswith(f"(set by {named})")
    assert hint in error and " or STORY_TIME" not in error
