"""Story media in S3: keys, uploads, fresh presigned GETs, the forms a browser uploads a
recording with, and deleting a recording the family took off."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
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


def recording_prefix(story_id: str) -> str:
    """Where a story's recordings go: each upload its own name under it, so a second
    upload never overwrites the first (the story records which one won)."""
    return f"stories/{story_id}/recording-"


@dataclass(frozen=True)
class ObjectStart:
    """An object's first bytes, its whole size and the type it was stored with."""

    head: bytes
    size: int
    content_type: str


_CONTENT_RANGE = re.compile(r"bytes \d+-\d+/(\d+)")


class MediaStore:
    def __init__(self, s3: Any, bucket: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._clock = clock
        self._signed: dict[str, tuple[str, float]] = {}

    def put(self, key: str, body: bytes, content_type: str) -> str:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)
        return key

    def read(self, key: str) -> bytes:
        return bytes(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read())

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

    def delete(self, key: str) -> bool:
        """Delete the object (S3 deletes an object in a bucket without versioning for
        good); False when S3 could not be asked or refused, leaving it to the bucket's
        lifecycle."""
        try:
            self._s3.delete_object(Bucket=self._bucket, Key=key)
        except (self._s3.exceptions.ClientError, OSError):
            return False
        return True

    def upload_form(self, key: str, max_bytes: int, lifetime: int) -> dict[str, Any]:
        """A presigned POST for one object at `key`: audio (the browser says which, in a
        Content-Type field), at most `max_bytes`, within `lifetime` seconds ({"url",
        "fields"})."""
        form: dict[str, Any] = self._s3.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={},
            Conditions=[
                ["starts-with", "$Content-Type", "audio/"],
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=lifetime,
        )
        return form

    def object_start(self, key: str, length: int) -> ObjectStart | None:
        """The first `length` bytes of an object, with its size (one ranged GET); None
        when there is no such object."""
        try:
            response = self._s3.get_object(
                Bucket=self._bucket, Key=key, Range=f"bytes=0-{length - 1}"
            )
        except self._s3.exceptions.ClientError:
            return None
        size = _CONTENT_RANGE.fullmatch(response.get("ContentRange", ""))
        head = response["Body"].read()
        return ObjectStart(head, int(size.group(1)) if size else len(head), response["ContentType"])
