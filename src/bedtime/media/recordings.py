"""A person's own reading of a story, recorded in the browser and uploaded straight to
S3: what may be uploaded, and the check of what arrived before the story plays it.

The check reads only the object's first bytes and its size (one ranged GET): a real
audio container (WebM/Matroska's EBML magic, or MP4's `ftyp` box), a size that fits
the tapped length, and the tapped line times, one a line, in order, within the length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bedtime.media.storage import ObjectStart, recording_prefix
from bedtime.records.stories import Recording

MAX_BYTES = 30 * 1024 * 1024
# An upload form is asked for when the reader taps Send, so it need last only the upload:
# 30 MB at a slow phone's 0.5 Mbit/s takes eight minutes.
UPLOAD_SECONDS = 10 * 60
HEAD_BYTES = 64
MIN_DURATION_MS = 1_000
MAX_DURATION_MS = 60 * 60_000
# Speech in Opus or AAC as browsers record it is 16 to 128 kbit/s; far less than 2 kbit/s
# over the tapped length is not that recording.
MIN_BYTES_PER_SECOND = 250
MAX_READER_LENGTH = 40
UPLOAD_NAME = re.compile(r"[A-Za-z0-9_-]{16}")
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


class RecordingRefused(Exception):
    """A recording the story will not play; `message` says why, for the reader."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Finished:
    """What the recording page sends when the reader taps "done"."""

    key: str
    reader: str
    duration_ms: int
    line_times: tuple[int, ...]

    @classmethod
    def from_form(cls, form: dict[str, str]) -> Finished:
        try:
            duration = int(form.get("duration", ""))
            times = tuple(int(t) for t in form.get("times", "").split(","))
        except ValueError:
            raise RecordingRefused(400, "The line timings did not arrive whole.") from None
        reader = " ".join(form.get("reader", "").split())
        if not reader or len(reader) > MAX_READER_LENGTH or not reader.isprintable():
            raise RecordingRefused(
                400, f"Please write who is reading, in at most {MAX_READER_LENGTH} letters."
            )
        return cls(form.get("key", ""), reader, duration, times)


def container_of(head: bytes) -> str | None:
    """The audio container the bytes begin, or None."""
    if head.startswith(EBML_MAGIC):
        return "audio/webm"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def checked(story_id: str, lines: int, sent: Finished, start: ObjectStart) -> Recording:
    """The recording to play, or RecordingRefused saying what is wrong with it."""
    name = sent.key.removeprefix(recording_prefix(story_id))
    if name == sent.key or not UPLOAD_NAME.fullmatch(name):
        raise RecordingRefused(400, "That recording is not for this story.")
    _check_audio(start)
    _check_timing(sent, lines, start.size)
    return Recording(
        key=sent.key,
        content_type=start.content_type,
        size=start.size,
        duration_ms=sent.duration_ms,
        line_times=sent.line_times,
        reader=sent.reader,
    )


def _check_audio(start: ObjectStart) -> None:
    if start.size > MAX_BYTES:
        raise RecordingRefused(413, "The recording is too large (over 30 MB).")
    if container_of(start.head) is None or not start.content_type.startswith("audio/"):
        raise RecordingRefused(415, "What arrived is not a sound recording.")


def _check_timing(sent: Finished, lines: int, size: int) -> None:
    if not MIN_DURATION_MS <= sent.duration_ms <= MAX_DURATION_MS:
        raise RecordingRefused(422, "The recording must be between a second and an hour long.")
    if size < MIN_BYTES_PER_SECOND * sent.duration_ms / 1000:
        raise RecordingRefused(422, "The recording is much shorter than the reading was.")
    times = sent.line_times
    in_order = all(a < b for a, b in pairwise(times))
    if len(times) != lines or not in_order or times[0] < 0 or times[-1] >= sent.duration_ms:
        raise RecordingRefused(422, "The line timings do not fit the story or the recording.")
