"""Finishing a medium, and the aggregation that announces StoryReady exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bedtime.core.events import EventBus, StoryCreated, StoryReady, without_markup
from bedtime.core.observability import logger
from bedtime.providers import ProviderError
from bedtime.records.stories import Medium, MediumName, Story
from bedtime.records.story_store import StoryStore


def complete_medium(
    created: StoryCreated,
    name: MediumName,
    produce: Callable[[Story], Medium],
    store: StoryStore,
    bus: EventBus,
    now: Callable[[], datetime],
) -> Story:
    """Make one medium once, record it done or failed, then announce if both are finished.

    A failure of any kind while producing ends in `failed`, so the family still gets
    the story and one email; the clients have already retried what could succeed.
    """
    story = store.get(created.storyId)
    if not story.medium(name).finished:
        try:
            medium = produce(story)
        except Exception as error:
            if isinstance(error, ProviderError) and error.throttled:
                raise  # back to the queue, to try again later: never failed for a throttle
            logger.exception(
                "medium failed",
                story_id=story.id,
                medium=name,
                request_id=getattr(error, "request_id", None),
            )
            medium = Medium(status="failed")
        story = store.finish_medium(story.id, name, medium)
    announce_if_finished(story, created.url, store, bus, now())
    return story


def announce_if_finished(
    story: Story,
    url: str,
    store: StoryStore,
    bus: EventBus,
    now: datetime,
) -> bool:
    """StoryReady once both media have finished, exactly once per story (the notify
    function then sends the family's email, at bedtime or at once if it is late)."""
    if not (story.image.finished and story.audio.finished):
        return False
    if not store.claim_ready(story.id, now):
        return False
    ready = StoryReady(
        storyId=story.id,
        title=without_markup(story.title),
        url=url,
        image=story.image.status,
        audio=story.audio.status,
    )
    try:
        bus.publish(ready)
    except Exception:
        store.release_ready(story.id)
        raise
    logger.info("story ready", story_id=story.id, image=ready.image, audio=ready.audio)
    return True
