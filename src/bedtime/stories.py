"""The Story record and its DynamoDB store (table key: id)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from bedtime.catalog import Entry

LIFETIME = timedelta(days=2)
HOME = "home"  # the family of a one-family deployment
MediumName = Literal["image", "audio"]
MEDIA: tuple[MediumName, ...] = ("image", "audio")
Status = Literal["pending", "done", "failed"]
FINISHED = ("done", "failed")

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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

    def attributes(self, name: MediumName) -> dict[str, Any]:
        """The item attributes (prefixed by the medium's name) that hold this medium."""
        values = {
            "status": self.status,
            "key": self.key,
            "alt": self.alt,
            "size": self.size,
            "marks_key": self.marks_key,
            "line_times": list(self.line_times) or None,
            "duration_ms": self.duration_ms,
        }
        return {f"{name}_{field}": value for field, value in values.items() if value is not None}

    @classmethod
    def from_attributes(cls, name: MediumName, plain: dict[str, Any]) -> Medium:
        size = plain.get(f"{name}_size")
        duration = plain.get(f"{name}_duration_ms")
        return cls(
            status=plain.get(f"{name}_status", "pending"),
            key=plain.get(f"{name}_key"),
            alt=plain.get(f"{name}_alt"),
            size=int(size) if size is not None else None,
            marks_key=plain.get(f"{name}_marks_key"),
            line_times=tuple(int(t) for t in plain.get(f"{name}_line_times", ())),
            duration_ms=int(duration) if duration is not None else None,
        )


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

    def __post_init__(self) -> None:
        # Records from before cast and setting were kept: their names alone.
        if not self.cast:
            object.__setattr__(self, "cast", tuple(Entry(name, "") for name in self.characters))
        if not self.setting.name:
            object.__setattr__(self, "setting", Entry(self.scene, ""))

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

    def to_item(self) -> dict[str, Any]:
        plain = {
            "id": self.id,
            "night": self.night.isoformat(),
            "title": self.title,
            "paragraphs": list(self.paragraphs),
            "characters": list(self.characters),
            "scene": self.scene,
            "provider": self.provider,
            "model": self.model,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at,
            "family": self.family,
        }
        plain["cast"] = [_entry_attributes(entry) for entry in self.cast]
        plain["setting"] = _entry_attributes(self.setting)
        for name in MEDIA:
            plain.update(self.medium(name).attributes(name))
        return {key: _serializer.serialize(value) for key, value in plain.items()}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Story:
        plain = {key: _deserializer.deserialize(value) for key, value in item.items()}
        media = {name: Medium.from_attributes(name, plain) for name in MEDIA}
        return cls(
            id=plain["id"],
            night=date.fromisoformat(plain["night"]),
            title=plain["title"],
            paragraphs=tuple(plain["paragraphs"]),
            characters=tuple(plain["characters"]),
            scene=plain["scene"],
            provider=plain["provider"],
            model=plain["model"],
            created_at=datetime.fromisoformat(plain["created_at"]),
            expires_at=int(plain["expires_at"]),
            ready_at=plain.get("ready_at"),
            cast=tuple(_entry(value) for value in plain.get("cast", ())),
            setting=_entry(plain.get("setting") or {"name": "", "description": ""}),
            family=plain.get("family", HOME),
            **media,
        )


def _entry_attributes(entry: Entry) -> dict[str, str]:
    return {k: v for k, v in asdict(entry).items() if v}


def _entry(value: dict[str, Any]) -> Entry:
    return Entry(value.get("name", ""), value.get("description", ""), value.get("look", ""))


class StoryStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def add(self, story: Story) -> bool:
        """Save a new story; False when one with its id is already saved."""
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=story.to_item(),
                ConditionExpression="attribute_not_exists(id)",
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get(self, story_id: str) -> Story:
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"id": {"S": story_id}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            raise StoryNotFound(story_id)
        return Story.from_item(item)

    def recent(self, limit: int = 10) -> list[Story]:
        """Newest first. A scan is right here: TTL keeps the table to a few nights."""
        items = []
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table):
            items += page["Items"]
        stories = sorted(map(Story.from_item, items), key=lambda s: s.created_at, reverse=True)
        return stories[:limit]

    def finish_medium(self, story_id: str, name: MediumName, medium: Medium) -> Story:
        """Record a finished medium once; a repeat leaves the first result in place."""
        attributes = medium.attributes(name)
        names = {f"#a{i}": attribute for i, attribute in enumerate(attributes)}
        values = {
            f":v{i}": _serializer.serialize(value) for i, value in enumerate(attributes.values())
        }
        names["#status"] = f"{name}_status"
        values[":pending"] = {"S": "pending"}
        assignments = [f"#a{i} = :v{i}" for i in range(len(attributes))]
        try:
            response = self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": story_id}},
                UpdateExpression="SET " + ", ".join(assignments),
                ConditionExpression="attribute_exists(id) AND #status = :pending",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException as error:
            old = error.response.get("Item")
            if not old:
                raise StoryNotFound(story_id) from error
            return Story.from_item(old)
        return Story.from_item(response["Attributes"])

    def claim_ready(self, story_id: str, at: datetime) -> bool:
        """True for exactly one caller per story, once both media have finished."""
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": story_id}},
                UpdateExpression="SET ready_at = :at",
                ConditionExpression=(
                    "attribute_not_exists(ready_at)"
                    " AND image_status IN (:done, :failed) AND audio_status IN (:done, :failed)"
                ),
                ExpressionAttributeValues={
                    ":at": {"S": at.isoformat()},
                    ":done": {"S": "done"},
                    ":failed": {"S": "failed"},
                },
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_ready(self, story_id: str) -> None:
        """Undo a claim whose announcement could not be sent, so a retry can send it."""
        self._dynamodb.update_item(
            TableName=self._table,
            Key={"id": {"S": story_id}},
            UpdateExpression="REMOVE ready_at",
        )
