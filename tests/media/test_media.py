"""Media keys and presigned URLs: signed at render time, reused only for minutes."""

from __future__ import annotations

import boto3

from bedtime.media.storage import (
    PRESIGNED_LIFETIME_SECONDS,
    REUSE_SIGNED_URL_SECONDS,
    MediaStore,
    narration_key,
    picture_key,
)


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_keys_live_under_the_story() -> None:
    assert picture_key("abc", "openai") == "stories/abc/picture-openai.png"
    assert narration_key("abc") == "stories/abc/narration.mp3"


class CountingS3:
    def __init__(self) -> None:
        self.signed: list[dict] = []

    def generate_presigned_url(self, operation: str, Params: dict, ExpiresIn: int) -> str:
        self.signed.append({"operation": operation, "expires": ExpiresIn, **Params})
        return f"https://bucket.example/{Params['Key']}?signature={len(self.signed)}"


def test_signed_urls_are_short_lived_and_reused_only_for_minutes() -> None:
    clock, s3 = Clock(), CountingS3()
    media = MediaStore(s3, "bucket", clock=clock)
    first = media.url("stories/abc/picture.png")
    assert s3.signed == [
        {
            "operation": "get_object",
            "expires": PRESIGNED_LIFETIME_SECONDS,
            "Bucket": "bucket",
            "Key": "stories/abc/picture.png",
        }
    ]
    clock.now += REUSE_SIGNED_URL_SECONDS - 1
    assert media.url("stories/abc/picture.png") == first
    clock.now += 2
    assert media.url("stories/abc/picture.png") != first
    assert len(s3.signed) == 2


def test_a_real_presigned_url_names_the_bucket_and_key(aws) -> None:
    url = MediaStore(boto3.client("s3"), "bucket").url("stories/abc/picture.png")
    assert "bucket" in url and "stories/abc/picture.png" in url and "Signature" in url
