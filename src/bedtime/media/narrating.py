"""The narration for a story: spoken, encoded to MP3, stored in S3 with its line marks."""

from __future__ import annotations

import json

from bedtime.media.storage import MediaStore, narration_key, speech_marks_key
from bedtime.providers import Voice
from bedtime.records.stories import Medium, Story


def narrate(story: Story, voice: Voice, media: MediaStore, language: str) -> Medium:
    narration = voice.speak(story.title, story.paragraphs, language)
    key = media.put(narration_key(story.id), narration.mp3, "audio/mpeg")
    marks_key = None
    if narration.line_marks:
        body = json.dumps(narration.line_marks).encode()
        marks_key = media.put(speech_marks_key(story.id), body, "application/json")
    line_times = tuple(mark["time"] for mark in narration.line_marks or ())
    return Medium(
        status="done",
        key=key,
        size=len(narration.mp3),
        marks_key=marks_key,
        line_times=line_times,
        duration_ms=narration.duration_ms,
    )
