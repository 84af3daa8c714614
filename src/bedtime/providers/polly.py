"""Amazon Polly: neural voice, SSML pauses, long stories split and joined into one MP3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from bedtime.providers import Narration
from bedtime.providers.audio import mp3_from_pcm, silence
from bedtime.providers.aws import MAX_BACKOFF, AwsCaller, ClientFor
from bedtime.providers.budget import Budget, CallSpec
from bedtime.records.speech import LINE_PAUSE_MS, STANZA_PAUSE_MS, SpokenLine, spoken_lines

SAMPLE_RATE = 16000
# SynthesizeSpeech takes at most 6,000 characters of input, SSML tags included, of which
# at most 3,000 are billed characters (Amazon Polly developer guide, "Quotas in Amazon
# Polly"). Each request keeps under both, with room to spare.
MAX_BILLED_CHARACTERS = 2800
MAX_REQUEST_CHARACTERS = 5800
SYNTHESIS_CALL = CallSpec(timeout=30, attempts=3, max_backoff=MAX_BACKOFF)
# A young child's pace: Polly's neural voices speak about 160 words a minute at 100 %;
# 80 % with the pauses comes near the 115 a minute the story is sized for, and the
# wind-down is slower still.
CHILD_RATE = "80%"
WIND_DOWN_RATE = "70%"
_OPEN = "<speak>"
_CLOSE = "</speak>"


class PollyVoice(AwsCaller):
    name = "polly"
    provider = "Polly"
    retryable = ("ThrottlingException", "ServiceFailureException", "ServiceUnavailableException")

    def __init__(
        self, client_for: ClientFor, voice_id: str, budget: Budget, engine: str = "neural"
    ) -> None:
        super().__init__(client_for, budget)
        self._voice_id = voice_id
        self._engine = engine

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration:
        pcm, marks = bytearray(), []
        for chunk in chunks(list(spoken_lines(title, paragraphs))):
            offset_ms = len(pcm) * 500 // SAMPLE_RATE
            request = ssml(chunk)
            pcm += self._synthesize(request, "pcm").read()
            for mark in self._marks(request):
                line = chunk[int(mark["value"])]
                marks.append({"time": offset_ms + mark["time"], "type": "line", "value": line.text})
            pcm += silence(SAMPLE_RATE, STANZA_PAUSE_MS)
        return Narration(
            mp3=mp3_from_pcm(bytes(pcm), SAMPLE_RATE),
            line_marks=marks,
            duration_ms=len(pcm) * 500 // SAMPLE_RATE,
        )

    def _marks(self, request: str) -> list[dict]:
        body = self._synthesize(request, "json", SpeechMarkTypes=["ssml"]).read().decode()
        return [json.loads(line) for line in body.splitlines() if line.strip()]

    def _synthesize(self, request: str, output_format: str, **extra: Any) -> Any:
        return self._call(
            SYNTHESIS_CALL,
            "synthesize_speech",
            Engine=self._engine,
            VoiceId=self._voice_id,
            OutputFormat=output_format,
            SampleRate=str(SAMPLE_RATE),
            Text=request,
            TextType="ssml",
            **extra,
        )["AudioStream"]


def chunks(lines: list[SpokenLine]) -> Iterator[list[SpokenLine]]:
    """Whole lines per request, each request under both of Polly's limits."""
    chunk: list[SpokenLine] = []
    billed = tagged = 0
    for line in lines:
        line_billed, line_tagged = len(line.text), len(_line_ssml(len(chunk), line))
        too_big = (
            billed + line_billed > MAX_BILLED_CHARACTERS
            or len(_OPEN) + tagged + line_tagged + len(_CLOSE) > MAX_REQUEST_CHARACTERS
        )
        if chunk and too_big:
            yield chunk
            chunk, billed, tagged = [], 0, 0
            line_tagged = len(_line_ssml(0, line))
        chunk.append(line)
        billed, tagged = billed + line_billed, tagged + line_tagged
    if chunk:
        yield chunk


def ssml(lines: list[SpokenLine]) -> str:
    return _OPEN + "".join(_line_ssml(index, line) for index, line in enumerate(lines)) + _CLOSE


def _line_ssml(index: int, line: SpokenLine) -> str:
    pause = STANZA_PAUSE_MS if line.ends_stanza else LINE_PAUSE_MS
    rate = WIND_DOWN_RATE if line.winding_down else CHILD_RATE
    return (
        f'<mark name="{index}"/><prosody rate="{rate}">{escape(line.text)}</prosody>'
        f'<break time="{pause}ms"/>'
    )
