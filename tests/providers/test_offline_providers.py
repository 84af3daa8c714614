"""The offline providers make real output: rhyming text, a picture, audible speech."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from array import array

import pytest
from PIL import Image

from bedtime.providers.offline.picture import OfflinePainter
from bedtime.providers.offline.story import OfflineStoryWriter, rhymes
from bedtime.providers.offline.voice import _ENGINE_LOCK, OfflineVoice, _engine
from bedtime.records.briefs import PictureBrief, StoryBrief
from bedtime.records.catalog import Entry
from bedtime.records.speech import spoken_lines
from helpers import ROOT


def brief(seed: int, first: str = "Pip", second: str = "Luna") -> StoryBrief:
    return StoryBrief(
        (Entry(first, "a hedgehog"), Entry(second, "an owl")),
        Entry("Moonlit Bay", "a calm beach"),
        "en",
        200,
        seed,
    )


@pytest.mark.parametrize("seed", range(10))
def test_story_is_long_rhyming_couplets_with_both_names_and_the_scene(seed) -> None:
    draft = OfflineStoryWriter().write(brief(seed))
    text = " ".join(draft.paragraphs)
    assert len(text.split()) >= 200
    assert "Pip" in text and "Luna" in text and "Moonlit Bay" in text
    lines = [line for p in draft.paragraphs for line in p.splitlines()]
    assert len(lines) % 2 == 0
    for first, second in zip(lines[::2], lines[1::2], strict=True):
        assert rhymes(first, second), (first, second)
    assert draft.title


def test_stories_vary_from_night_to_night() -> None:
    texts = {OfflineStoryWriter().write(brief(seed)).paragraphs for seed in range(10)}
    assert len(texts) == 10


def test_names_with_braces_or_markup_are_kept_verbatim() -> None:
    draft = OfflineStoryWriter().write(brief(1, first="{a}<b>", second="Zoë"))
    text = " ".join(draft.paragraphs)
    assert "{a}<b>" in text and "Zoë" in text


def test_picture_is_a_1024_png_that_differs_by_scene() -> None:
    painter = OfflinePainter()
    cast = (Entry("Pip", "a hedgehog"), Entry("Luna", "an owl"))
    woods = painter.paint(PictureBrief("t", cast, Entry("the Whispering Woods", ""), "", 1))
    sea = painter.paint(PictureBrief("t", cast, Entry("Moonlit Bay", ""), "", 1))
    image = Image.open(io.BytesIO(woods))
    assert (image.format, image.size) == ("PNG", (1024, 1024))
    assert woods != sea
    assert len(image.convert("RGB").getcolors(maxcolors=100_000) or ()) > 100  # not a flat fill


def test_voice_speaks_every_line_into_an_mp3_with_line_marks() -> None:
    paragraphs = ("Pip saw the moon,\nand hummed a tune.", "Goodnight.")
    narration = OfflineVoice().speak("A Title", paragraphs, "en")
    assert narration.mp3[:3] == b"ID3" or narration.mp3[0] == 0xFF
    assert len(narration.mp3) > 10_000
    texts = [line.text for line in spoken_lines("A Title", paragraphs)]
    assert [mark["value"] for mark in narration.line_marks] == texts
    times = [mark["time"] for mark in narration.line_marks]
    assert times == sorted(times) and times[0] == 0 and times[-1] > 1000
    # the page's minutes and the feed's itunes:duration come from it
    assert narration.duration_ms is not None and narration.duration_ms > times[-1]


FIRST_VOICES_AT_ONCE = """
import threading
from bedtime.providers.offline.voice import OfflineVoice
lines = ("Pip the hedgehog walked along the moonlit bay and hummed a little song.",) * 3
threads = [
    threading.Thread(target=OfflineVoice().speak, args=("A title", lines, "en"))
    for _ in range(3)
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def test_three_first_narrations_at_once_do_not_corrupt_the_process() -> None:
    """Three families' first narrations overlap in `make run`. Before the engine's lock
    covered its creation, about half of these processes aborted or segfaulted."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for attempt in range(6):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_VOICES_AT_ONCE],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"attempt {attempt}: {done.returncode} {done.stderr[-500:]}"


def test_speech_is_not_silence() -> None:
    with _ENGINE_LOCK:
        samples: array = _engine().say("Goodnight, little one.", "en")
        assert len(samples) > _engine().sample_rate // 2
    assert max(abs(s) for s in samples) > 1000
