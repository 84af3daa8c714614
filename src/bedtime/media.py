"""Story media in S3: keys, uploads and fresh presigned GETs."""

from __future__ import annotations

from typing import Any

PRESIGNED_LIFETIME_SECONDS = 3600


def picture_key(story_id: str) -> str:
    return f"stories/{story_id}/picture.png"


def narration_key(story_id: str) -> str:
    return f"stories/{story_id}/narration.mp3"


def speech_marks_key(story_id: str) -> str:
    return f"stories/{story_id}/narration-marks.json"


class MediaStore:
    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def put(self, key: str, body: bytes, content_type: str) -> str:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)
        return key

    def read(self, key: str) -> bytes:
        return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def url(self, key: str) -> str:
        """A short-lived GET URL, signed now with the caller's current credentials."""
        return self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=PRESIGNED_LIFETIME_SECONDS,
        )
