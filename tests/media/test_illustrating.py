"""The picture's alt text says what the picture shows, as it was painted."""

from __future__ import annotations

from datetime import UTC, datetime

from bedtime.media.illustrating import paint_picture, picture_brief
from bedtime.providers import KeyMissing
from bedtime.providers.offline.picture import OfflinePainter
from bedtime.providers.prompts import picture_prompt
from bedtime.records.briefs import PictureBrief
from helpers import story_record

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


class Shelf:
    """A media store that keeps what it is given."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def put(self, key: str, body: bytes, content_type: str) -> str:
        self.kept[key] = body
        return key


class ModelPainter:
    name = "openai"

    def paint(self, brief: PictureBrief) -> bytes:
        return b"png"


class KeylessPainter(ModelPainter):
    def paint(self, brief: PictureBrief) -> bytes:
        raise KeyMissing("no key", fix="set one")


def painted_alt(title: str, painter: object) -> str:
    story = story_record(now=NOW, title=title)
    medium = paint_picture(story, painter, Shelf(), OfflinePainter, NOW)  # type: ignore[arg-type]
    return medium.alt or ""


def test_an_offline_picture_painted_at_dusk_is_described_at_dusk() -> None:
    alt = painted_alt("Pip and Luna at Sunset", OfflinePainter())
    assert alt == "Pip and Luna in the Whispering Woods, at dusk."


def test_an_offline_picture_painted_at_night_is_described_at_night() -> None:
    alt = painted_alt("Pip and the Lost Kite", OfflinePainter())
    assert alt == "Pip and Luna in the Whispering Woods, at night."


def test_a_model_s_picture_is_described_at_night_as_its_prompt_asks() -> None:
    story = story_record(now=NOW, title="Pip and Luna at Sunset")
    assert "night-time" in picture_prompt(picture_brief(story))
    alt = painted_alt("Pip and Luna at Sunset", ModelPainter())
    assert alt == "Pip and Luna in the Whispering Woods, at night."


def test_a_picture_painted_offline_for_want_of_a_key_is_described_as_the_offline_one() -> None:
    assert painted_alt("Pip and Luna at Sunset", KeylessPainter()).endswith("at dusk.")
