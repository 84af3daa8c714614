"""Our own events on the custom bus (source bedtime.stories) and their publisher."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Self

SOURCE = "bedtime.stories"


class BadEvent(ValueError):
    """An event that does not have the shape our contract promises."""


class _Event:
    detail_type: ClassVar[str]

    @classmethod
    def from_detail(cls, detail: Any) -> Self:
        """Our event from an EventBridge `detail`, or BadEvent saying what is wrong."""
        return cls(**_fields(cls, detail))


@dataclass(frozen=True)
class StoryCreated(_Event):
    detail_type: ClassVar[str] = "StoryCreated"
    storyId: str
    night: str
    title: str
    characters: list[str]
    scene: str
    url: str


def without_markup(text: str) -> str:
    """Text for a plain-text email whose reader may render HTML: tags can't survive."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class StoryReady(_Event):
    """Both media finished. `title` is for the email: markup neutralised (without_markup)."""

    detail_type: ClassVar[str] = "StoryReady"
    storyId: str
    title: str
    url: str
    image: str
    audio: str


def _fields(cls: type, detail: Any) -> dict[str, Any]:
    if not isinstance(detail, dict):
        raise BadEvent(f"{cls.__name__} detail must be an object, got {type(detail).__name__}")
    names = [f.name for f in fields(cls) if f.name != "detail_type"]
    missing = [name for name in names if name not in detail]
    if missing:
        raise BadEvent(f"{cls.__name__} detail lacks {', '.join(missing)}")
    if not isinstance(detail["storyId"], str) or not detail["storyId"]:
        raise BadEvent(f"{cls.__name__} storyId must be a non-empty string")
    return {name: detail[name] for name in names}


class EventBus:
    def __init__(self, events: Any, bus_name: str) -> None:
        self._events = events
        self._bus_name = bus_name

    def publish(self, event: StoryReady) -> None:
        response = self._events.put_events(
            Entries=[
                {
                    "EventBusName": self._bus_name,
                    "Source": SOURCE,
                    "DetailType": event.detail_type,
                    "Detail": json.dumps(asdict(event)),
                }
            ]
        )
        if response.get("FailedEntryCount"):
            entry = response["Entries"][0]
            raise RuntimeError(f"put_events refused {event.detail_type}: {entry}")
