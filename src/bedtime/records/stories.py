"""The Story record: one night's story, its media, and when it fades (the store that
keeps it is bedtime.records.story_store)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from bedtime.records.catalog import Entry

LIFETIME = timedelta(days=2)
HOME = "home"  # the family of a one-family deployment
MediumName = Literal["image", "audio"]
MEDIA: tuple[MediumName, ...] = ("image", "audio")
Status = Literal["pending", "done", "failed"]
FINISHED = ("done", "failed")

NO_SETTING = Entry("", "")


class StoryNotFound(LookupError):
    """No story has this id (or it was deleted by TTL)."""


class StoryExpired(LookupError):
    """The story is past its expires_at, even if TTL has not deleted it yet."""


def story_id_for(idempotency_key: str | None) -> str:
    """The story id for a request: derived from its idempotency key, so every retry of
    one request names the same story (and a conditional put keeps it single); random
    (128 bits) for a request that has no key."""
    if idempotency_key is None:
        return secrets.token_urlsafe(16)
    digest = hashlib.sha256(f"bedtime-story:{idempotency_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


@dataclass(frozen=True)
class Medium:
    """One medium of a story. `line_times` are when each spoken line starts (ms)."""

    status: Status = "pending"
    key: str | None = None
    alt: str | None = None
    size: int | None = None
    marks_key: str | None = None
    line_times: tuple[int, ...] = ()
    duration_ms: int | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True)
class Recording:
    """A person's own reading of the story (recorded from the recording link): it is
    played instead of the narration, which is kept. `line_times` as Medium's."""

    key: str
    content_type: str
    size: int
    duration_ms: int
    line_times: tuple[int, ...]
    reader: str


@dataclass(frozen=True)
class Story:
    id: str
    night: date
    title: str
    paragraphs: tuple[str, ...]
    characters: tuple[str, ...]
    scene: str
    provider: str
    model: str
    created_at: datetime
    expires_at: int
    image: Medium = field(default_factory=Medium)
    audio: Medium = field(default_factory=Medium)
    ready_at: str | None = None
    cast: tuple[Entry, ...] = ()  # the characters as the catalog described them that night
    setting: Entry = NO_SETTING
    family: str = HOME
    rating: str | None = None  # "loved" or "not", when the family said
    deliver_at: datetime | None = None  # the bedtime it is made for (None: asked for now)
    emailed_at: str | None = None  # when its one email went out
    recording: Recording | None = None

    def __post_init__(self) -> None:
        # Records from before cast and setting were kept: their names alone.
        if not self.cast:
            object.__setattr__(self, "cast", tuple(Entry(name, "") for name in self.characters))
        if not self.setting.name:
            object.__setattr__(self, "setting", Entry(self.scene, ""))

    def about(self) -> dict[str, object]:
        """What the story is, as plain values: the fields its table item and its JSON share."""
        return {
            "id": self.id,
            "night": self.night.isoformat(),
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "characters": list(self.characters),
            "scene": self.scene,
            "provider": self.provider,
            "model": self.model,
        }

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires_at

    def medium(self, name: MediumName) -> Medium:
        if name == "image":
            return self.image
        if name == "audio":
            return self.audio
        raise ValueError(f"a story has no medium {name!r}")
