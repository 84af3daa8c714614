"""`make story`: ask for a story now, follow it as it is made, print its link."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bedtime.families.triggers import StoryRequest
from bedtime.records.stories import HOME, Story, StoryNotFound, story_id_for
from bedtime.records.story_store import StoryStore
from bedtime_tools.target import Target

POLL_SECONDS = 1.0


def ask_for_story(target: Target, family: str = HOME) -> str:
    """Send a `make story` request; the id the story will have (derived from the request)."""
    request = {"trigger": "manual", "family": family, "requestId": str(uuid.uuid4())}
    target.ask(request)
    parsed = StoryRequest.from_event(request, now=datetime.now(UTC), lead=timedelta(0))
    return story_id_for(parsed.idempotency_key)


def wait_for_story(
    target: Target, story_id: str, timeout: float, say: Callable[[str], None]
) -> Story:
    """Poll the Stories table until both media have finished (done or failed) and the
    story has been announced; say each step as it happens. TimeoutError past `timeout`."""
    store = StoryStore(target.client("dynamodb"), target.names["StoriesTable"])
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        try:
            story = store.get(story_id)
        except StoryNotFound:
            story = None
        for step in _steps(story):
            if step not in seen:
                say(f"  {step}")
                seen.add(step)
        if story is not None and story.ready_at:
            return story
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"story {story_id} was not ready within {timeout:.0f} s")


def _steps(story: Story | None) -> list[str]:
    """What has happened to the story so far, in the order it happens."""
    if story is None:
        return []
    steps = [f"written: {story.title!r} ({story.provider})"]
    for medium, label in ((story.image, "picture"), (story.audio, "narration")):
        if medium.status != "pending":
            steps.append(f"{label} {medium.status}")
    if story.ready_at:
        steps.append("announced (StoryReady)")
    return steps
