"""Settings are read from the environment once, and a bad value names its variable."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bedtime.core.settings import Settings, SettingsError

REQUIRED = {
    "STORIES_TABLE": "Stories",
    "CHARACTERS_TABLE": "Characters",
    "SCENES_TABLE": "Scenes",
    "IDEMPOTENCY_TABLE": "Idempotency",
    "FAMILIES_TABLE": "Families",
    "CANON_TABLE": "Canon",
    "MEDIA_BUCKET": "media",
    "EVENT_BUS_NAME": "bus",
}


def test_the_required_variables_are_enough_and_the_defaults_are_safe() -> None:
    settings = Settings.from_env(REQUIRED)
    assert settings.stories_table == "Stories" and settings.families_table == "Families"
    assert settings.time_zone == ZoneInfo("UTC")
    assert (settings.story_provider, settings.image_provider, settings.speech_provider) == (
        "offline",
        "offline",
        "offline",
    )
    assert settings.private is True  # private unless a family chooses otherwise


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_a_missing_variable_is_named(missing) -> None:
    env = {k: v for k, v in REQUIRED.items() if k != missing}
    with pytest.raises(SettingsError, match=f"environment variable {missing} is required"):
        Settings.from_env(env)


def test_a_blank_variable_counts_as_missing() -> None:
    with pytest.raises(SettingsError, match="STORIES_TABLE"):
        Settings.from_env(REQUIRED | {"STORIES_TABLE": "  "})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STORY_PROVIDER", "gpt"),
        ("IMAGE_PROVIDER", "dalle"),
        ("SPEECH_PROVIDER", "espeak"),
        ("IMAGE_QUALITY", "ultra"),
        ("PRIVACY", "secret"),
    ],
)
def test_a_bad_choice_is_named_with_the_choices(name, value) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(REQUIRED | {name: value})
    assert f"{name}={value!r} is not one of" in str(error.value)


def test_choices_are_read_without_regard_to_case_or_spaces() -> None:
    settings = Settings.from_env(REQUIRED | {"STORY_PROVIDER": " OpenAI ", "PRIVACY": "PUBLIC"})
    assert settings.story_provider == "openai" and settings.private is False


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe/", "../etc/passwd"])
def test_a_bad_time_zone_is_named(zone) -> None:
    with pytest.raises(SettingsError, match=r"STORY_TIME_ZONE=.* is not an IANA time zone"):
        Settings.from_env(REQUIRED | {"STORY_TIME_ZONE": zone})


def test_a_guardrail_needs_only_its_id() -> None:
    settings = Settings.from_env(REQUIRED | {"BEDROCK_GUARDRAIL_ID": "g1"})
    assert settings.bedrock_guardrail == ("g1", "DRAFT")
