"""What `make run` does for each family as it starts: a family that has tonight's story
already gets its link again and nothing new is written; one that has none gets tonight's
own story now. "Tonight" is the family's date now, where it lives (the home page's).

Tonight's own story is asked for with the very message the tick sends at tonight's make
time, so the tick's (or FamiliesFunction's, for a family that arrives after its make
time) is the same request: one key, one story id, written once. The run then brings its
bedtime forward to now, so it is emailed as soon as it is ready, as a story asked for
now would be."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bedtime.families.planning import bedtime_instant
from bedtime.families.readers import ReaderSecrets
from bedtime.families.tick import Work
from bedtime.families.triggers import StoryRequest
from bedtime.records.families import Family
from bedtime.records.stories import Story, StoryNotFound, story_id_for
from bedtime.records.story_store import StoryStore

POLL_SECONDS = 0.1


def written_tonight(store: StoryStore, family: Family, now: datetime) -> Story | None:
    """The family's newest story for tonight, as its home page shows it, if there is one."""
    tonight = now.astimezone(family.time_zone).date()
    stories = store.family_stories(family.id)
    return next((s for s in stories if s.night == tonight and not s.expired(now)), None)


def tonights_make(family: Family, now: datetime, lead: timedelta) -> Work:
    """Tonight's make time: `lead` before the family's bedtime on its date now."""
    tonight = now.astimezone(family.time_zone).date()
    bedtime = bedtime_instant(family.time_zone, family.bedtime, tonight)
    return Work("make", family.id, bedtime - lead)


def story_id_of(make: Work, now: datetime, lead: timedelta) -> str:
    """The id CreateStoryFunction gives the story that `make` asks for."""
    request = StoryRequest.from_event(make.message, now, lead)
    return story_id_for(request.idempotency_key)


def story_link(
    dynamodb: Any, families_table: str, site_url: str, private: bool, story: Story
) -> str:
    """The link the family's email carries: on a private site, signed with its secret."""
    link = f"{site_url.rstrip('/')}/stories/{story.id}"
    if not private:
        return link
    keys = ReaderSecrets(dynamodb, families_table).ensure(story.family)
    return link + keys.story_query(story.id, story.expires_at)


def bring_forward(
    store: StoryStore,
    story_id: str,
    now: Callable[[], datetime],
    wait: Callable[[float], bool],
    patience: float,
) -> bool:
    """Once the story is saved, deliver it now rather than at its bedtime: whether it was
    saved within `patience` seconds. `wait(seconds)` is True when the run is stopping.
    The pictures and the narration take longer than a tenth of a second, so the story is
    due before it is ready; were it not, it would still be emailed, at its bedtime."""
    for _ in range(int(patience / POLL_SECONDS)):
        try:
            store.get(story_id)
        except StoryNotFound:
            if wait(POLL_SECONDS):
                return False
            continue
        store.set_bedtime(story_id, now())
        return True
    return False
