"""The picture for a story: brief from the story itself, painted, stored in S3."""

from __future__ import annotations

import zlib

from bedtime.briefs import PictureBrief
from bedtime.media import MediaStore, picture_key
from bedtime.providers import Painter
from bedtime.stories import Medium, Story


def picture_brief(story: Story) -> PictureBrief:
    return PictureBrief(
        title=story.title,
        characters=story.cast,
        scene=story.setting,
        opening=story.paragraphs[0] if story.paragraphs else "",
        seed=zlib.crc32(story.id.encode()),
    )


def alt_text(story: Story) -> str:
    return f"{' and '.join(story.characters)} in {story.scene}, at night."


def paint_picture(story: Story, painter: Painter, media: MediaStore) -> Medium:
    png = painter.paint(picture_brief(story))
    key = media.put(picture_key(story.id), png, "image/png")
    return Medium(status="done", key=key, alt=alt_text(story))
