"""The picture for a story: brief from the story itself, painted, stored in S3."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime

from bedtime.core.observability import logger
from bedtime.families.planning import MODEL_PICTURE_TAKES
from bedtime.media.storage import MediaStore, picture_key
from bedtime.providers import KeyMissing, Painter
from bedtime.records.briefs import PictureBrief
from bedtime.records.stories import Medium, Story

OFFLINE = "offline"  # the offline painter's name (OfflinePainter.name)


def picture_brief(story: Story) -> PictureBrief:
    return PictureBrief(
        title=story.title,
        characters=story.cast,
        scene=story.setting,
        opening=story.paragraphs[0] if story.paragraphs else "",
        seed=zlib.crc32(story.id.encode()),
    )


def alt_text(brief: PictureBrief, painter: Painter) -> str:
    """What the picture shows as painted: the offline painter says what it drew (dusk or
    night); a model is asked for night-time (`prompts.picture_prompt`)."""
    if painter.name == OFFLINE:
        # imported here: the offline painter's module loads Pillow, and it is loaded
        # already when the offline painter painted
        from bedtime.providers.offline.picture import described

        return described(brief)
    return f"{' and '.join(c.name for c in brief.characters)} in {brief.scene.name}, at night."


def paint_picture(
    story: Story,
    painter: Painter,
    media: MediaStore,
    fallback: Callable[[], Painter],
    now: datetime,
) -> Medium:
    """The painter's picture; the offline painter's when the painter's key is missing, or
    when bedtime is too near for the painter (at bedtime the notify step paints offline
    whatever is unpainted: a picture now beats a better one later, and a backlog behind
    the provider's rate limit drains instead of growing)."""
    brief = picture_brief(story)
    if story.deliver_at and now + MODEL_PICTURE_TAKES > story.deliver_at:
        logger.info("bedtime is too near: the picture is painted offline", family=story.family)
        painter = fallback()
    try:
        png = painter.paint(brief)
    except KeyMissing as error:
        logger.error(f"Tonight's picture is painted offline: {error}. To fix: {error.fix}.")
        painter = fallback()
        png = painter.paint(brief)
    key = media.put(picture_key(story.id, painter.name), png, "image/png")
    return Medium(status="done", key=key, alt=alt_text(brief, painter))
