"""StoryReady fires exactly once per story, whatever order the media finish in."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from moto.dynamodb.models import DynamoDBBackend

from bedtime import services
from bedtime.core.events import StoryCreated, StoryReady
from bedtime.media.readiness import complete_medium
from bedtime.records.stories import Medium, Story
from helpers import story_record


class RecordingBus:
    def __init__(self, failures: int = 0) -> None:
        self.published: list[StoryReady] = []
        self.failures = failures
        self.lock = threading.Lock()

    def publish(self, event: StoryReady) -> None:
        with self.lock:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("EventBridge is unavailable")
            self.published.append(event)


def created(story: Story) -> StoryCreated:
    return StoryCreated(
        storyId=story.id,
        night=story.night.isoformat(),
        title=story.title,
        characters=list(story.characters),
        scene=story.scene,
        url=f"https://example.test/stories/{story.id}",
    )


def done(name: str):
    return lambda story: Medium(status="done", key=f"stories/{story.id}/{name}")


def broken(story: Story) -> Medium:
    raise TimeoutError("the provider took too long")


def finish(story: Story, name: str, produce, bus) -> Story:
    return complete_medium(
        created(story), name, produce, services.story_store(), bus, lambda: datetime.now(UTC)
    )


@pytest.fixture
def story(aws) -> Story:
    story = story_record("A" * 22)
    services.story_store().add(story)
    return story


@pytest.mark.parametrize("order", [("image", "audio"), ("audio", "image")])
def test_one_story_ready_after_both_finish_in_either_order(story, order) -> None:
    bus = RecordingBus()
    finish(story, order[0], done(order[0]), bus)
    assert bus.published == []
    finish(story, order[1], done(order[1]), bus)
    [ready] = bus.published
    assert (ready.storyId, ready.image, ready.audio) == (story.id, "done", "done")
    assert ready.url == f"https://example.test/stories/{story.id}"


def test_a_failed_medium_still_finishes_the_story(story) -> None:
    bus = RecordingBus()
    finish(story, "image", broken, bus)
    finish(story, "audio", done("audio"), bus)
    [ready] = bus.published
    assert (ready.image, ready.audio) == ("failed", "done")
    assert services.story_store().get(story.id).image.status == "failed"


def test_repeated_deliveries_announce_nothing_more(story) -> None:
    bus = RecordingBus()
    for _ in range(3):
        finish(story, "image", done("image"), bus)
        finish(story, "audio", done("audio"), bus)
    assert len(bus.published) == 1


def test_a_repeat_keeps_the_first_result(story) -> None:
    bus = RecordingBus()
    finish(story, "image", done("image"), bus)
    after = finish(story, "image", broken, bus)
    assert after.image.status == "done"


@pytest.fixture
def atomic_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies a conditional write atomically (developer guide, "Condition
    expressions"); moto checks the condition and writes in two steps that threads can
    interleave, so here each write holds a lock, as the real service behaves."""
    lock = threading.Lock()
    for name in ("put_item", "update_item"):
        write = getattr(DynamoDBBackend, name)

        def locked(*args, _write=write, **kwargs):
            with lock:
                return _write(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


def test_concurrent_finishers_announce_once(story, atomic_writes) -> None:
    bus = RecordingBus()
    barrier = threading.Barrier(4)

    def run(name: str) -> None:
        barrier.wait()
        finish(story, name, done(name), bus)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("image", "audio") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(bus.published) == 1


def test_an_announcement_that_fails_is_made_by_the_retry(story) -> None:
    bus = RecordingBus(failures=1)
    finish(story, "image", done("image"), bus)
    with pytest.raises(RuntimeError):
        finish(story, "audio", done("audio"), bus)
    assert bus.published == []
    finish(story, "audio", done("audio"), bus)
    assert len(bus.published) == 1
