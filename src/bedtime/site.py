"""The reading site: page models and their rendering with the Jinja templates in web/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bedtime.media import MediaStore
from bedtime.speech import spoken_lines
from bedtime.stories import Story, StoryExpired, StoryNotFound, StoryStore

_HERE = Path(__file__).resolve().parent
# In the Lambda artifact web/ sits beside the package; in the repository, beside src/.
WEB_ROOT = next(
    (root for root in (_HERE.parent / "web", _HERE.parents[1] / "web") if root.is_dir()),
    _HERE.parent / "web",
)
STORY_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Line:
    index: int
    text: str
    start_ms: int | None


@dataclass(frozen=True)
class StoryView:
    story: Story
    title_line: Line
    stanzas: list[list[Line]]
    image_url: str | None
    audio_url: str | None

    @property
    def narrated(self) -> bool:
        return self.audio_url is not None


class Site:
    def __init__(
        self,
        store: StoryStore,
        media: MediaStore,
        zone: ZoneInfo,
        language: str = "en",
        web_root: Path = WEB_ROOT,
    ) -> None:
        self._store = store
        self._media = media
        self._zone = zone
        self._env = Environment(
            loader=FileSystemLoader(web_root / "templates"),
            autoescape=select_autoescape(["html", "xml"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.globals["lang"] = language
        self.static_root = web_root / "static"

    @cached_property
    def media_origin(self) -> str:
        """Where presigned media URLs point (the bucket's origin), for the CSP."""
        parts = urlsplit(self._media.url("origin-probe"))
        return f"{parts.scheme}://{parts.netloc}"

    def live_story(self, story_id: str, now: datetime) -> Story:
        if not STORY_ID.fullmatch(story_id):
            raise StoryNotFound(story_id)
        story = self._store.get(story_id)
        if story.expired(now):
            raise StoryExpired(story_id)
        return story

    def home(self, now: datetime) -> str:
        stories = [s for s in self._store.recent() if not s.expired(now)]
        today = now.astimezone(self._zone).date()
        tonight = next((s for s in stories if s.night == today), None)
        others = [s for s in stories if s is not tonight]
        return self._render(
            "home.html",
            tonight=self._view(tonight) if tonight else None,
            others=others,
        )

    def story_page(self, story_id: str, now: datetime) -> str:
        return self._render("story.html", view=self._view(self.live_story(story_id, now)))

    def story_data(self, story_id: str, now: datetime) -> dict:
        view = self._view(self.live_story(story_id, now))
        story = view.story
        return {
            "id": story.id,
            "night": story.night.isoformat(),
            "title": story.title,
            "paragraphs": list(story.paragraphs),
            "characters": list(story.characters),
            "scene": story.scene,
            "provider": story.provider,
            "model": story.model,
            "createdAt": story.created_at.isoformat(),
            "expiresAt": story.expires_at,
            "image": {"status": story.image.status, "url": view.image_url, "alt": story.image.alt},
            "audio": {
                "status": story.audio.status,
                "url": view.audio_url,
                "lineTimes": list(story.audio.line_times),
            },
        }

    def narration_url(self, story_id: str, now: datetime) -> str:
        story = self.live_story(story_id, now)
        if story.audio.status != "done" or not story.audio.key:
            raise StoryNotFound(f"{story_id} has no narration")
        return self._media.url(story.audio.key)

    def feed(self, site_url: str, now: datetime) -> str:
        narrated = [
            s
            for s in self._store.recent(limit=50)
            if not s.expired(now) and s.audio.status == "done"
        ]
        return self._render(
            "feed.xml",
            site_url=site_url.rstrip("/"),
            stories=narrated,
            built=format_datetime(now),
            rfc822=format_datetime,
        )

    def error_page(self, status: int, heading: str, message: str) -> str:
        return self._render("error.html", status=status, heading=heading, message=message)

    def _view(self, story: Story) -> StoryView:
        times = story.audio.line_times
        lines = list(spoken_lines(story.title, story.paragraphs))
        timed = len(times) == len(lines)
        numbered = [Line(i, line.text, times[i] if timed else None) for i, line in enumerate(lines)]
        stanzas: list[list[Line]] = [[]]
        for line, spoken in zip(numbered[1:], lines[1:], strict=True):
            stanzas[-1].append(line)
            if spoken.ends_stanza:
                stanzas.append([])
        return StoryView(
            story=story,
            title_line=numbered[0],
            stanzas=[stanza for stanza in stanzas if stanza],
            image_url=self._url_if_done(story.image.status, story.image.key),
            audio_url=self._url_if_done(story.audio.status, story.audio.key),
        )

    def _url_if_done(self, status: str, key: str | None) -> str | None:
        return self._media.url(key) if status == "done" and key else None

    def _render(self, template: str, **context: object) -> str:
        return self._env.get_template(template).render(**context)
