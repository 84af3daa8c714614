"""The reading site's pages: page models and their rendering with the Jinja templates
in web/ (precompiled into web/compiled/ by the build, so a cold start compiles none)."""

from __future__ import annotations

import hashlib
import html
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, ModuleLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bedtime.core.access import Keys

if TYPE_CHECKING:  # the story page needs no story book: it is read for the home page only
    from bedtime.families.unsubscribing import Subscriber
    from bedtime.writing.canon import CanonStore, Rating
from bedtime.media.recordings import (
    HEAD_BYTES,
    MAX_BYTES,
    UPLOAD_SECONDS,
    Finished,
    RecordingRefused,
    checked,
)
from bedtime.media.storage import MediaStore, recording_prefix
from bedtime.records.speech import NARRATION_WORDS_PER_MINUTE, spoken_lines, stanza_lines
from bedtime.records.stories import Recording, Story, StoryExpired, StoryNotFound
from bedtime.records.story_store import StoryStore

logger = logging.getLogger("bedtime.web")
ALREADY_RECORDED = "Someone else's recording of this story arrived first: theirs is kept."
_PACKAGE = Path(__file__).resolve().parents[1]  # bedtime/
# In the Lambda artifact web/ sits beside the package; in the repository, beside src/.
WEB_ROOT = next(
    (root for root in (_PACKAGE.parent / "web", _PACKAGE.parents[1] / "web") if root.is_dir()),
    _PACKAGE.parent / "web",
)
STORY_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
FEED_SIZE = 50
HASHED_STATIC_NAME = re.compile(r"[A-Za-z0-9_-]+\.[0-9a-f]{12}\.[a-z0-9]+")


def hashed_name(name: str, body: bytes) -> str:
    """`site.css` as `site.<12 hex digits of its SHA-256>.css`: new content, a new name,
    so a browser may keep each name for good."""
    stem, _, extension = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:12]}.{extension}"


class Line(NamedTuple):
    number: int
    text: str
    start_ms: int | None
    ends_stanza: bool


@dataclass(frozen=True)
class StoryView:
    story: Story
    image_url: str | None
    audio_url: str | None
    recording_url: str | None = None

    @cached_property
    def _stanza_lines(self) -> list[list[str]]:
        return [lines for lines in map(stanza_lines, self.story.paragraphs) if lines]

    @cached_property
    def _starts(self) -> Sequence[int | None]:
        """Each line's start in the narration, the title's first; None for each while
        the narration's marks do not match the lines (none yet)."""
        count = 1 + sum(map(len, self._stanza_lines))
        times = self.story.audio.line_times
        return times if len(times) == count else (None,) * count

    @property
    def title_line(self) -> Line:
        return Line(0, self.story.title, self._starts[0], True)

    @cached_property
    def stanzas(self) -> list[list[Line]]:
        """The lines numbered as spoken (the title is line 0), stanza by stanza."""
        numbered, first = [], 1
        for lines in self._stanza_lines:
            last = len(lines) - 1
            numbered.append(
                [
                    Line(first + i, text, self._starts[first + i], i == last)
                    for i, text in enumerate(lines)
                ]
            )
            first += len(lines)
        return numbered

    @cached_property
    def text_html(self) -> Markup:
        """The stanzas, each a paragraph of lines the read-along highlights from their
        start times. Built here rather than by a template loop: Jinja's loop over a
        story's hundred lines, escaping each value, was most of a page's CPU. Safe
        markup: the texts are escaped (a stanza's at once: its lines hold no newline),
        and the numbers are ints."""
        starts, number, stanzas = self._starts, 0, []
        for lines in self._stanza_lines:
            spans = []
            for text in html.escape("\n".join(lines), quote=False).split("\n"):
                number += 1
                start = "" if starts[number] is None else f' data-start="{starts[number]}"'
                spans.append(f'<span class="line" data-line="{number}"{start}>{text}</span>')
            stanzas.append('<p class="stanza">\n' + "<br>\n".join(spans) + "\n</p>")
        return Markup("\n".join(stanzas))  # noqa: S704  # nosec B704

    @property
    def narrated(self) -> bool:
        return self.audio_url is not None

    @property
    def recording(self) -> Recording | None:
        return self.story.recording

    @property
    def recording_starts(self) -> str:
        """The recording's line times, for the read-along (it plays them when the
        browser plays the recording rather than the narration)."""
        return ",".join(map(str, self.recording.line_times)) if self.recording else ""

    @property
    def minutes(self) -> int:
        """How long it takes to hear: the recording's or the narration's length, or
        else its words at a young child's pace."""
        duration = self.recording.duration_ms if self.recording else self.story.audio.duration_ms
        if duration:
            return max(1, round(duration / 60_000))
        return max(1, round(len(self.story.text.split()) / NARRATION_WORDS_PER_MINUTE))


@dataclass(frozen=True)
class Emailing:
    """Who of the family gets no email: each unsubscribed address with its own page
    (where it can start again), and those suppressed after a bounce or a complaint."""

    unsubscribed: dict[str, str]
    suppressed: list[str]


def template_environment(web_root: Path = WEB_ROOT) -> Environment:
    compiled = web_root / "compiled"
    loader = (
        ModuleLoader(str(compiled))
        if compiled.is_dir()
        else FileSystemLoader(str(web_root / "templates"))
    )
    environment = Environment(
        loader=loader,
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # a container's templates never change: check no file per page
    )
    return environment


def compile_templates(web_root: Path | str) -> None:
    """A build step: the templates as Python modules in web_root/compiled, which
    template_environment then loads instead of compiling the templates at cold start."""
    root = Path(web_root)
    template_environment(root).compile_templates(str(root / "compiled"), zip=None)


class Site:
    def __init__(
        self,
        store: StoryStore,
        media: MediaStore,
        canon: Callable[[], CanonStore],
        zone: ZoneInfo,
        language: str = "en",
        family_name: Callable[[str], str] = str,
        web_root: Path = WEB_ROOT,
        allows_recording: Callable[[str], bool] = lambda family: True,
    ) -> None:
        self._store = store
        self._family_name = family_name
        self.allows_recording = allows_recording
        self._media = media
        self._canon = canon
        self._zone = zone
        self._env = template_environment(web_root)
        self._env.globals["lang"] = language
        self._env.globals["static"] = self.static_url
        self.static_root = web_root / "static"

    @cached_property
    def _static_names(self) -> dict[str, str]:
        return {
            path.name: hashed_name(path.name, path.read_bytes())
            for path in self.static_root.iterdir()
            if path.is_file()
        }

    def static_url(self, name: str) -> str:
        """The address of a static file under its content-hashed name."""
        return f"/static/{self._static_names[name]}"

    @cached_property
    def media_origin(self) -> str:
        """Where presigned media URLs point (the bucket's origin), for the CSP: read from
        a URL the same client signs, so the two cannot disagree."""
        parts = urlsplit(self._media.url("origin-probe"))
        return f"{parts.scheme}://{parts.netloc}"

    def security_headers(self) -> dict[str, str]:
        media = self.media_origin
        return {
            "Content-Security-Policy": (
                f"default-src 'none'; img-src 'self' {media}; media-src {media} blob:; "
                f"connect-src 'self' {media}; style-src 'self'; script-src 'self'; "
                f"base-uri 'none'; form-action 'self' {media}; frame-ancestors 'none'"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        }

    # --- stories ---------------------------------------------------------------------
    def stored_story(self, story_id: str) -> Story:
        if not STORY_ID.fullmatch(story_id):
            raise StoryNotFound(story_id)
        return self._store.get(story_id)

    @staticmethod
    def check_live(story: Story, now: float) -> None:
        if story.expired(datetime.fromtimestamp(now, UTC)):
            raise StoryExpired(story.id)

    def live_story(self, story_id: str, now: float) -> Story:
        story = self.stored_story(story_id)
        self.check_live(story, now)
        return story

    def _live_for(self, family: str, now: float, limit: int = 10) -> list[Story]:
        moment = datetime.fromtimestamp(now, UTC)
        stories = self._store.family_stories(family, limit=FEED_SIZE)
        return [story for story in stories if not story.expired(moment)][:limit]

    # --- pages ------------------------------------------------------------------------
    def home(
        self,
        family: str,
        now: float,
        feed_url: str,
        keys: Keys | None,
        emailing: Emailing | None = None,
    ) -> str:
        stories = self._live_for(family, now)
        today = datetime.fromtimestamp(now, self._zone).date()
        tonight = next((s for s in stories if s.night == today), None)
        others = [s for s in stories if s is not tonight]
        loved, not_for_us = self._canon().counts(family)
        record_url = None
        if tonight and not tonight.recording and self.allows_recording(family):
            record_url = f"/stories/{tonight.id}/record"
            if keys:
                record_url += keys.record_query(tonight.id, tonight.expires_at)
        return self._render(
            "home.html",
            tonight=self._view(tonight) if tonight else None,
            record_url=record_url,
            others=others,
            feed_url=feed_url,
            family_name=self._family_name(family),
            loved=loved,
            not_for_us=not_for_us,
            emailing=emailing,
        )

    def unsubscribe_page(self, subscriber: Subscriber, action: str) -> str:
        return self._render(
            "unsubscribe.html",
            address=subscriber.address,
            family_name=subscriber.family.name or subscriber.family.id,
            stopped=subscriber.stopped,
            action=action,
        )

    def rate(self, story: Story, rating: Rating) -> None:
        self._store.rate(story.id, rating, self._canon().rating_update(story, rating))

    def story_page(self, story: Story) -> str:
        return self._render("story.html", view=self._view(story))

    def recording_page(self, story: Story, query: str) -> str:
        """The page a reader records the story on: its lines one at a time. It carries
        no upload form: it asks `upload_form` for one when the reader taps Send."""
        if story.recording:
            return self._render("recorded.html", story=story)
        return self._render(
            "record.html",
            view=self._view(story),
            form_url=f"/stories/{story.id}/record/form{query}",
            finish_url=f"/stories/{story.id}/record{query}",
            max_bytes=MAX_BYTES,
        )

    def upload_form(self, story: Story) -> dict[str, Any]:
        """A presigned POST for one new object under the story's recording prefix,
        signed now with the function's current credentials, for the upload only."""
        if story.recording:
            raise RecordingRefused(409, ALREADY_RECORDED)
        key = recording_prefix(story.id) + secrets.token_urlsafe(12)
        return self._media.upload_form(key, MAX_BYTES, UPLOAD_SECONDS)

    def take_recording(self, story: Story, sent: Finished) -> Recording:
        """Play what was uploaded for this story, if it passes the check and no other
        recording was taken first; RecordingRefused, and nothing changed, if not."""
        start = self._media.object_start(sent.key, HEAD_BYTES)
        if start is None:
            raise RecordingRefused(400, "The recording did not arrive. Please send it again.")
        lines = sum(1 for _ in spoken_lines(story.title, story.paragraphs))
        recording = checked(story.id, lines, sent, start)
        if not self._store.record(story.id, recording):
            raise RecordingRefused(409, ALREADY_RECORDED)
        return recording

    def use_narration(self, story: Story) -> None:
        """Play the machine's narration again instead of the story's recording, and
        delete the recording: the story stops naming it first, so a delete that fails
        leaves only an object no story plays, which the bucket's lifecycle deletes with
        the story's other media."""
        if story.audio.status != "done":
            raise StoryNotFound(f"{story.id} has no narration to go back to")
        if not story.recording or not self._store.forget_recording(story.id, story.recording.key):
            return
        if not self._media.delete(story.recording.key):
            logger.warning(
                "recording left to the lifecycle",
                extra={"story": story.id, "key": story.recording.key},
            )

    def recording_url(self, story: Story) -> str:
        if not story.recording:
            raise StoryNotFound(f"{story.id} has no recording")
        return self._media.url(story.recording.key)

    def story_data(self, story: Story) -> dict[str, Any]:
        view = self._view(story)
        recording = story.recording
        return {
            **story.about(),
            "createdAt": story.created_at.isoformat(),
            "expiresAt": story.expires_at,
            "image": {"status": story.image.status, "url": view.image_url, "alt": story.image.alt},
            "audio": {
                "status": story.audio.status,
                "url": view.audio_url,
                "lineTimes": list(story.audio.line_times),
            },
            "recording": recording
            and {
                "url": view.recording_url,
                "readBy": recording.reader,
                "contentType": recording.content_type,
                "durationMs": recording.duration_ms,
                "lineTimes": list(recording.line_times),
            },
        }

    def narration_url(self, story: Story) -> str:
        if story.audio.status != "done" or not story.audio.key:
            raise StoryNotFound(f"{story.id} has no narration")
        return self._media.url(story.audio.key)

    def feed(self, family: str, site_url: str, now: float, keys: Keys | None) -> str:
        """A podcast feed whose links each carry their story's token (a podcast app holds
        no cookie), when the site is private."""
        stories = self._live_for(family, now, FEED_SIZE)
        narrated = [s for s in stories if s.recording or s.audio.status == "done"]

        def token(story: Story) -> str:
            return keys.story_query(story.id, story.expires_at) if keys else ""

        return self._render(
            "feed.xml",
            site_url=site_url.rstrip("/"),
            stories=narrated,
            family_name=self._family_name(family),
            built=format_datetime(datetime.fromtimestamp(now, UTC)),
            rfc822=format_datetime,
            token=token,
        )

    def error_page(self, status: int, heading: str, message: str) -> str:
        return self._render("error.html", status=status, heading=heading, message=message)

    def _view(self, story: Story) -> StoryView:
        return StoryView(
            story=story,
            image_url=self._url_if_done(story.image.status, story.image.key),
            audio_url=self._url_if_done(story.audio.status, story.audio.key),
            recording_url=self._media.url(story.recording.key) if story.recording else None,
        )

    def _url_if_done(self, status: str, key: str | None) -> str | None:
        return self._media.url(key) if status == "done" and key else None

    def _render(self, template: str, **context: object) -> str:
        return self._env.get_template(template).render(**context)
