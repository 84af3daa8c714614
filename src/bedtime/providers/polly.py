"""Amazon Polly: neural voice, SSML pauses, long stories split and joined into one MP3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from botocore.exceptions import BotoCoreError, ClientError

from bedtime.audio import mp3_from_pcm, silence
from bedtime.providers import Narration
from bedtime.providers.aws import provider_error
from bedtime.speech import LINE_PAUSE_MS, STANZA_PAUSE_MS, SpokenLine, spoken_lines

SAMPLE_RATE = 16000
MAX_BILLED_CHARACTERS = 2800  # Polly bills at most 3,000 per request; SSML tags are free
_RETRYABLE = {"ThrottlingException", "ServiceFailureException", "ServiceUnavailableException"}


class PollyVoice:
    name = "polly"

    def __init__(self, polly: Any, voice_id: str, engine: str = "neural") -> None:
        self._polly = polly
        self._voice_id = voice_id
        self._engine = engine

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration:
        pcm, marks = bytearray(), []
        for chunk in _chunks(list(spoken_lines(title, paragraphs))):
            offset_ms = len(pcm) * 500 // SAMPLE_RATE
            ssml = _ssml(chunk)
            pcm += self._synthesize(ssml, "pcm").read()
            for mark in self._marks(ssml):
                line = chunk[int(mark["value"])]
                marks.append({"time": offset_ms + mark["time"], "type": "line", "value": line.text})
            pcm += silence(SAMPLE_RATE, STANZA_PAUSE_MS)
        return Narration(mp3=mp3_from_pcm(bytes(pcm), SAMPLE_RATE), line_marks=marks)

    def _marks(self, ssml: str) -> list[dict]:
        body = self._synthesize(ssml, "json", SpeechMarkTypes=["ssml"]).read().decode()
        return [json.loads(line) for line in body.splitlines() if line.strip()]

    def _synthesize(self, ssml: str, output_format: str, **extra: Any) -> Any:
        try:
            return self._polly.synthesize_speech(
                Engine=self._engine,
                VoiceId=self._voice_id,
                OutputFormat=output_format,
                SampleRate=str(SAMPLE_RATE),
                Text=ssml,
                TextType="ssml",
                **extra,
            )["AudioStream"]
        except (ClientError, BotoCoreError) as error:
            raise provider_error("Polly", error, _RETRYABLE) from error


def _chunks(lines: list[SpokenLine]) -> Iterator[list[SpokenLine]]:
    """Whole lines per request, each request under Polly's billed-character limit."""
    chunk: list[SpokenLine] = []
    size = 0
    for line in lines:
        if chunk and size + len(line.text) > MAX_BILLED_CHARACTERS:
            yield chunk
            chunk, size = [], 0
        chunk.append(line)
        size += len(line.text)
    if chunk:
        yield chunk


def _ssml(lines: list[SpokenLine]) -> str:
    parts = []
    for index, line in enumerate(lines):
        pause = STANZA_PAUSE_MS if line.ends_stanza else LINE_PAUSE_MS
        parts.append(f'<mark name="{index}"/>{escape(line.text)}<break time="{pause}ms"/>')
    return '<speak><prosody rate="90%">' + "".join(parts) + "</prosody></speak>"
