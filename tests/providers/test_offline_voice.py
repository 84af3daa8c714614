"""The offline voice: a young child's pace, slower in the wind-down, stories as long as asked."""

from __future__ import annotations

import pytest

from bedtime.providers.offline import quality
from bedtime.providers.offline.story import OfflineStoryWriter
from bedtime.providers.offline.voice import (
    WIND_DOWN_WORDS_PER_MINUTE,
    WORDS_PER_MINUTE,
    pace,
    pause_ms,
    record,
)
from bedtime.records.briefs import StoryBrief
from bedtime.records.catalog import Entry
from bedtime.records.speech import (
    NARRATION_WORDS_PER_MINUTE,
    SpokenLine,
    spoken_lines,
    wind_down_stanzas,
    words_for_minutes,
)

CAST = (Entry("Pip", "a small brave hedgehog"), Entry("Luna", "a sleepy owl"))
BAY = Entry("Moonlit Bay", "a calm sea beach")


def story(minutes: float, age: int = 5, seed: int = 3):
    words = words_for_minutes(minutes)
    brief = StoryBrief(CAST, BAY, "en", 200, seed, target_words=words, listener_age=age)
    return OfflineStoryWriter().write(brief)


def test_a_story_is_paced_for_young_children_and_never_shorter_than_200_words() -> None:
    assert 110 <= NARRATION_WORDS_PER_MINUTE <= 125
    assert words_for_minutes(3) == round(3 * NARRATION_WORDS_PER_MINUTE)
    assert words_for_minutes(0.5) == 200
    assert WIND_DOWN_WORDS_PER_MINUTE < WORDS_PER_MINUTE < 140


@pytest.mark.parametrize(("minutes", "age"), [(3, 3), (6, 5), (10, 8)])
def test_the_offline_narration_lasts_as_long_as_asked(minutes, age) -> None:
    heard = quality.narration_minutes(story(minutes, age))
    assert abs(heard - minutes) <= 0.2 * minutes, heard


def test_the_last_stanzas_are_marked_as_the_wind_down() -> None:
    paragraphs = tuple(f"Line {i}.\nAnother {i}." for i in range(10))
    spoken = list(spoken_lines("Title", paragraphs))
    calm = [line.text for line in spoken if line.winding_down]
    assert wind_down_stanzas(10) == 2
    assert calm == ["Line 8.", "Another 8.", "Line 9.", "Another 9."]
    assert not spoken[0].winding_down  # the title


def test_the_voice_slows_down_for_the_wind_down() -> None:
    text = "The little owl gave one soft and sleepy hoo."
    awake, sleepy = SpokenLine(text, False), SpokenLine(text, False, winding_down=True)
    assert pace(sleepy) < pace(awake) and pause_ms(sleepy) > pause_ms(awake)
    [fast, slow] = [record([line], "en") for line in (awake, sleepy)]
    assert slow.seconds > 1.1 * fast.seconds
    assert slow.marks == fast.marks == [{"time": 0, "type": "line", "value": text}]
