"""A family: whom the stories are for, and how they like them."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bedtime.settings import Settings
from bedtime.stories import HOME


@dataclass(frozen=True)
class Family:
    id: str
    time_zone: ZoneInfo
    language: str = "en"
    listener_age: int = 5
    story_minutes: float = 6.0
    series_hero: str = ""

    @classmethod
    def home(cls, settings: Settings) -> Family:
        """The one family of a deployment configured by its template parameters."""
        return cls(
            id=HOME,
            time_zone=settings.time_zone,
            language=settings.story_language,
            listener_age=settings.listener_age,
            story_minutes=settings.story_minutes,
            series_hero=settings.series_hero,
        )
