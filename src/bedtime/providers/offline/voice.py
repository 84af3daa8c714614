"""A voice that needs no network: eSpeak NG (from the espeakng-loader wheel) encoded to MP3.

It reads at a young child's pace, and slower still in the wind-down, with a longer
breath after each calm line.
"""

from __future__ import annotations

import ctypes
import threading
from array import array
from dataclasses import dataclass
from functools import cache

import espeakng_loader

from bedtime.providers import Narration
from bedtime.providers.audio import mp3_from_pcm, silence
from bedtime.records.speech import LINE_PAUSE_MS, STANZA_PAUSE_MS, SpokenLine, spoken_lines

_SYNCHRONOUS = 2
_DONT_EXIT = 0x8000
_UTF8 = 1
_RATE = 1
# eSpeak's words a minute while speaking; with the pauses between lines, a story is
# heard at about NARRATION_WORDS_PER_MINUTE (calibrated against real narrations).
WORDS_PER_MINUTE = 120
WIND_DOWN_WORDS_PER_MINUTE = 105
WIND_DOWN_PAUSE_MS = 250  # added after each wind-down line
_VOICES = {"en": "en-us", "es": "es", "fr": "fr-fr", "de": "de", "it": "it", "pt": "pt"}
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


# eSpeak NG is one global engine per process, and ctypes lets go of the GIL in each
# call: one lock, held from the engine's creation to the end of each recording, or two
# threads initialise or speak at once and corrupt the heap (docs/decisions.md).
_ENGINE_LOCK = threading.Lock()


class _Engine:
    """The process's eSpeak NG; use it only while holding _ENGINE_LOCK."""

    def __init__(self) -> None:
        self._lib = espeakng_loader.load_library()
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = self._lib.espeak_Initialize(_SYNCHRONOUS, 0, data, _DONT_EXIT)
        if self.sample_rate <= 0:
            raise RuntimeError("eSpeak NG failed to initialise")
        self._samples = array("h")
        self._callback = _CALLBACK(self._collect)  # kept alive: eSpeak holds the pointer
        self._lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav, count, _events) -> int:
        if count > 0:
            self._samples.extend(wav[:count])
        return 0

    def say(self, text: str, language: str, words_per_minute: int = WORDS_PER_MINUTE) -> array:
        voice = _VOICES.get(language.split("-")[0], "en-us").encode()
        self._lib.espeak_SetVoiceByName(voice)
        self._lib.espeak_SetParameter(_RATE, words_per_minute, 0)
        self._samples = array("h")
        data = text.encode("utf-8") + b"\0"
        self._lib.espeak_Synth(data, len(data), 0, 1, 0, _UTF8, None, None)
        self._lib.espeak_Synchronize()
        return self._samples


@cache
def _engine() -> _Engine:
    """Called only under _ENGINE_LOCK, so the engine is made once."""
    return _Engine()


def pace(line: SpokenLine) -> int:
    """eSpeak's words a minute for this line: slower in the wind-down."""
    return WIND_DOWN_WORDS_PER_MINUTE if line.winding_down else WORDS_PER_MINUTE


def pause_ms(line: SpokenLine) -> int:
    pause = STANZA_PAUSE_MS if line.ends_stanza else LINE_PAUSE_MS
    return pause + (WIND_DOWN_PAUSE_MS if line.winding_down else 0)


@dataclass(frozen=True)
class Recording:
    """16-bit mono PCM, and the millisecond each line starts."""

    pcm: bytes
    sample_rate: int
    marks: list[dict]

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


def record(lines: list[SpokenLine], language: str) -> Recording:
    pcm, marks = bytearray(), []
    with _ENGINE_LOCK:
        engine = _engine()
        rate = engine.sample_rate
        for line in lines:
            marks.append({"time": len(pcm) * 500 // rate, "type": "line", "value": line.text})
            pcm += engine.say(line.text, language, pace(line)).tobytes()
            pcm += silence(rate, pause_ms(line))
    return Recording(bytes(pcm), rate, marks)


class OfflineVoice:
    name = "offline"

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration:
        recording = record(list(spoken_lines(title, paragraphs)), language)
        mp3 = mp3_from_pcm(recording.pcm, recording.sample_rate)
        return Narration(
            mp3=mp3, line_marks=recording.marks, duration_ms=round(recording.seconds * 1000)
        )
