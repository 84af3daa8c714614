"""Story media in S3: keys, uploads and fresh presigned GETs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

PRESIGNED_LIFETIME_SECONDS = 3600
# A signed URL is reused for a few minutes (it stays valid for the hour after): signing
# is a large share of a page's CPU time, which is what Lambda bills.
REUSE_SIGNED_URL_SECONDS = 300


def picture_key(story_id: str, painter: str) -> str:
    """Each painter its own object: at bedtime the offline painter may paint a picture
    the image provider is still painting, and neither may overwrite the one recorded."""
    return f"stories/{story_id}/picture-{painter}.png"


def narration_key(story_id: str) -> str:
    return f"stories/{story_id}/narration.mp3"


def speech_marks_key(story_id: str) -> str:
    return f"stories/{story_id}/narration-marks.json"


class MediaStore:
    def __init__(self, s3: Any, bucket: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._clock = clock
        self._signed: dict[str, tuple[str, float]] = {}

    def put(self, key: str, body: bytes, content_type: str) -> str:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)
        return key

    def url(self, key: str) -> str:
        """A short-lived GET URL, signed with the caller's current credentials at most
        a few minutes ago, so it stays valid for most of an hour."""
        now = self._clock()
        signed = self._signed.get(key)
        if signed and now - signed[1] < REUSE_SIGNED_URL_SECONDS:
            return signed[0]
        url = self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=PRESIGNED_LIFETIME_SECONDS,
        )
        self._signed[key] = (url, now)
        return url
