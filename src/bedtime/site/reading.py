"""The reading site behind the function URL: routes, who may read what, and how long a
response may be kept. Knows nothing of Lambda: a Request in, a Response out.

When the site is private (the default), every page but /static/ needs one of: the
story's own token (the email link's `?t=`), the family's feed token (`?feed=`, for
podcast apps), or a session cookie (set when a story token is used). A story's
recording page, the upload form it asks for and the upload it finishes, need its
recording token (`?r=`) alone. A story token on the page itself is traded for the
cookie with a 303 to the same page without it, so the token leaves the address bar.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bedtime.core.access import SESSION_COOKIE, Keys, Session, session_family
from bedtime.families.readers import HOME, ReaderSecrets
from bedtime.families.unsubscribing import PATH, BadLink, Mailing, one_click
from bedtime.media.recordings import Finished, RecordingRefused
from bedtime.records.families import FAMILY_ID
from bedtime.records.stories import Story, StoryExpired, StoryNotFound
from bedtime.site.http import BadRequest, Request, Response, cookie
from bedtime.site.pages import HASHED_STATIC_NAME, Emailing, Site

_ID = r"(?P<story_id>[A-Za-z0-9_-]{16,64})"
READ = ("GET", "HEAD")
PRIVATE = "private, no-store"
MAX_SESSIONS = 8  # session cookies read from one request: one per family a browser reads
STATIC_CACHE = "public, max-age=3600"
FROM_THE_PAGE_ONLY = "Recordings are sent from the recording page."
# A content-hashed name never changes its content: a second night fetches only the HTML.
HASHED_STATIC_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    page: str
    methods: tuple[str, ...] = READ


ROUTES = (
    Route(re.compile(r"/"), "home"),
    Route(re.compile(rf"/stories/{_ID}\.json"), "story_json"),
    Route(re.compile(rf"/stories/{_ID}/narration\.mp3"), "narration"),
    Route(re.compile(rf"/stories/{_ID}/recording"), "recording", (*READ, "POST")),
    Route(re.compile(rf"/stories/{_ID}/rating"), "rate", ("POST",)),
    Route(re.compile(rf"/stories/{_ID}/record"), "record", (*READ, "POST")),
    Route(re.compile(rf"/stories/{_ID}/record/form"), "record_form", ("POST",)),
    Route(re.compile(rf"/stories/{_ID}"), "story"),
    Route(re.compile(r"/feed\.xml"), "feed"),
    Route(re.compile(r"/unsubscribe"), "unsubscribe", (*READ, "POST")),
    Route(re.compile(r"/static/(?P<name>[A-Za-z0-9._-]{1,64})"), "static"),
)
# Any other address under /stories/, with any method: no story's, but private all the same
NO_STORY = Route(re.compile(r"/stories/.*", re.DOTALL), "no_story")


class NotAllowed(Exception):
    """No valid token or session for what was asked."""


class NotHere(LookupError):
    """No page at this address (a plain 404, not a missing story)."""


class WrongMethod(Exception):
    def __init__(self, allowed: tuple[str, ...]) -> None:
        super().__init__(", ".join(allowed))
        self.allowed = allowed


# What each refusal tells the reader: status, heading, advice
ERROR_PAGES: dict[type[Exception], tuple[int, str, str]] = {
    NotAllowed: (
        401,
        "This bedtime story is private",
        "Open it with the link from the email. If that link does not work, it may have been "
        "cut short by the mail app, or be more than two days old: tonight's email brings a "
        "new one.",
    ),
    StoryNotFound: (
        404,
        "Story not found",
        "We could not find that story. Perhaps the link was cut?",
    ),
    NotHere: (404, "Nothing here", "There is no page at this address."),
    StoryExpired: (
        410,
        "This story has drifted away",
        "Stories stay for two days, like a dream in the morning. Tonight brings another.",
    ),
    BadRequest: (400, "That address is not right", "Try the link again."),
    BadLink: (404, "That link is not right", "Use the unsubscribe link in the email itself."),
}
ERROR_PAGES_FOR = tuple(ERROR_PAGES)


@dataclass(frozen=True)
class Reader:
    """Who is asking: the family they may read, and a session to give them (its cookie
    value and when it expires)."""

    family: str
    new_session: tuple[str, int] | None = None


class ReadingSite:
    def __init__(
        self,
        site: Site,
        secrets: ReaderSecrets | None,
        static: Callable[[], dict[str, tuple[bytes, str]]],
        clock: Callable[[], float] = time.time,
        mailing: Mailing | None = None,
    ) -> None:
        """`secrets` is None when the family chose a public site; `mailing` (None: no
        unsubscribe page) signs and reads the email's unsubscribe links on either."""
        self._site = site
        self._secrets = secrets
        self._mailing = mailing
        self._static_files = static
        self._clock = clock

    @property
    def private(self) -> bool:
        return self._secrets is not None

    def respond(self, request: Request) -> Response:
        """Every answer, errors included, mapped here and nowhere else."""
        try:
            route, parameters = _route(request)
            response = getattr(self, "_" + route.page)(request, **parameters)
        except WrongMethod as wrong:
            response = self._error(405, "Not here", "This address does not take that.")
            response.headers["Allow"] = ", ".join(wrong.allowed)
        except RecordingRefused as refused:
            response = self._refusal(request, refused)
        except ERROR_PAGES_FOR as error:
            response = self._error(*next(p for k, p in ERROR_PAGES.items() if isinstance(error, k)))
        return self._finish(response)

    def respond_bad_request(self) -> Response:
        """The answer to an event that is not a readable request at all."""
        return self._finish(self._error(400, "That address is not right", "Try the link again."))

    # --- pages ------------------------------------------------------------------
    def _home(self, request: Request) -> Response:
        reader = self._session_reader(request)
        feed_url = self._feed_url(request, reader.family)
        keys = self._keys(reader.family)
        emailing = self._emailing(reader.family)
        home = self._site.home(reader.family, self._clock(), feed_url, keys, emailing)
        return Response(200, home)

    def _emailing(self, family_id: str) -> Emailing | None:
        """Who gets no email, for the family's home page (and each stopped address's
        page, where it can start again)."""
        family = self._mailing.families.find(family_id) if self._mailing else None
        if self._mailing is None or family is None:
            return None
        return Emailing(self._mailing.undo_links(family), sorted(family.suppressed))

    def _unsubscribe(self, request: Request) -> Response:
        """GET shows what the link does, with one button; POST does it. A mail app's
        one-click POST (RFC 8058) carries `List-Unsubscribe=One-Click` and no cookie."""
        if self._mailing is None:
            raise NotHere(request.path)
        subscriber = self._mailing.subscriber(request.query)
        if request.method == "POST":
            form = request.form()
            stop = one_click(form) or form.get("action") != "resubscribe"
            subscriber = self._mailing.change(subscriber, stop)
        action = PATH + subscriber.query
        return Response(200, self._site.unsubscribe_page(subscriber, action))

    def _story(self, request: Request, story_id: str) -> Response:
        story, reader = self._story_reader(request, story_id)
        if reader.new_session:
            value, expires = reader.new_session
            max_age = max(0, expires - int(self._clock()))
            name = session_cookie_name(story.family)
            session = cookie(name, value, max_age, secure=request.scheme == "https")
            return Response(303, headers={"Location": f"/stories/{story.id}"}, cookies=[session])
        return Response(200, self._site.story_page(story))

    def _no_story(self, request: Request) -> Response:
        """Not found, told only to a signed-in reader: without a session, an address that
        cannot be a story's answers as every story's does (401), so that no answer tells
        which addresses are stories."""
        self._session_reader(request)
        raise StoryNotFound(request.path)

    def _story_json(self, request: Request, story_id: str) -> Response:
        story, _ = self._story_reader(request, story_id)
        return Response(200, json.dumps(self._site.story_data(story)), "application/json")

    def _narration(self, request: Request, story_id: str) -> Response:
        story, _ = self._story_reader(request, story_id)
        return Response(302, headers={"Location": self._site.narration_url(story)})

    def _recording(self, request: Request, story_id: str) -> Response:
        """A redirect to the recording (GET); or (POST, the family's "Use the machine
        voice again", from its own pages) back to the machine's narration."""
        if request.method == "POST":
            return self._use_narration(request, story_id)
        story, _ = self._story_reader(request, story_id)
        return Response(302, headers={"Location": self._site.recording_url(story)})

    def _use_narration(self, request: Request, story_id: str) -> Response:
        if not request.same_origin:
            raise NotAllowed()
        story, _ = self._session_story(request, story_id)
        if story.recording:
            self._site.use_narration(story)
        return Response(303, headers={"Location": f"/stories/{story.id}"})

    def _record(self, request: Request, story_id: str) -> Response:
        """The recording page (GET), or the upload it finishes (POST, answered in JSON
        for the page to show); every refusal (RecordingRefused) says why, and changes
        nothing."""
        story = self._recording_story(request, story_id)
        if request.method != "POST":
            query = f"?r={request.query['r']}" if self.private else ""
            return Response(200, self._site.recording_page(story, query))
        if not request.same_origin:
            raise RecordingRefused(403, FROM_THE_PAGE_ONLY)
        recording = self._site.take_recording(story, Finished.from_form(request.form()))
        return _json(200, f"Thank you, {recording.reader}. Tonight's story is in your voice.")

    def _record_form(self, request: Request, story_id: str) -> Response:
        """A fresh upload form, asked for by the recording page when the reader taps
        Send: one signed when the page opened could outlive the credentials that signed
        it before a long reading is done."""
        story = self._recording_story(request, story_id)
        if not request.same_origin:
            raise RecordingRefused(403, FROM_THE_PAGE_ONLY)
        return Response(200, json.dumps(self._site.upload_form(story)), "application/json")

    def _recording_story(self, request: Request, story_id: str) -> Story:
        """The live story a recording link opens, for a family that allows recording."""
        now = self._clock()
        try:
            story = self._site.stored_story(story_id)
            keys = self._keys(story.family) if self.private else None
            token = request.query.get("r", "")
            expires = keys.record_token_expiry(story.id, token) if keys else None
            if self.private and expires is None:
                raise StoryNotFound(story_id)  # told as a wrong link: no story's existence
            if expires is not None and expires <= now:
                raise RecordingRefused(410, "This recording link has expired. Ask for a new one.")
            self._site.check_live(story, now)
        except StoryNotFound as error:
            wrong = "This recording link is not right. Ask for it again."
            raise RecordingRefused(401, wrong) from error
        except StoryExpired as error:
            raise RecordingRefused(410, "This story has drifted away, as stories do.") from error
        if not self._site.allows_recording(story.family):
            raise RecordingRefused(403, "This family has turned recording off.")
        return story

    def _rate(self, request: Request, story_id: str) -> Response:
        """The family's "We loved it" or "Not for us": a form posted from the story page,
        by a signed-in reader (a session, never a token) on the same site."""
        if not request.same_origin:
            raise NotAllowed()
        story, _ = self._session_story(request, story_id)
        from bedtime.writing.canon import rating_of  # only a rating needs the story book

        rating = rating_of(request.form().get("rating", ""))
        if rating is None:
            raise BadRequest("a rating is loved or not")
        self._site.rate(story, rating)
        return Response(303, headers={"Location": f"/stories/{story.id}#rating"})

    def _feed(self, request: Request) -> Response:
        reader = self._feed_reader(request)
        keys = self._keys(reader.family)
        body = self._site.feed(reader.family, request.site, self._clock(), keys)
        return Response(200, body, "application/rss+xml; charset=utf-8")

    def _static(self, request: Request, name: str) -> Response:
        found = self._static_files().get(name)
        if found is None:
            raise NotHere(name)
        body, content_type = found
        cache = HASHED_STATIC_CACHE if HASHED_STATIC_NAME.fullmatch(name) else STATIC_CACHE
        return Response(200, body, content_type, headers={"Cache-Control": cache})

    # --- who may read ---------------------------------------------------------------
    def _keys(self, family: str) -> Keys | None:
        return self._secrets.keys(family) if self._secrets else None

    def _session_reader(self, request: Request) -> Reader:
        """The family of the browser's newest session: the last email link it opened."""
        if not self.private:
            return Reader(HOME)
        sessions = self._sessions(request)
        if not sessions:
            raise NotAllowed()
        return Reader(max(sessions, key=lambda session: session.issued).family)

    def _sessions(self, request: Request) -> list[Session]:
        """The browser's valid sessions, one cookie per family it has opened a link of."""
        values = [
            value
            for name, value in request.cookies.items()
            if name == SESSION_COOKIE or name.startswith(f"{SESSION_COOKIE}_")
        ]
        found = []
        for value in values[:MAX_SESSIONS]:
            family = session_family(value)
            keys = self._keys(family) if family else None
            session = keys.session(value, self._clock()) if keys else None
            if session is not None:
                found.append(session)
        return found

    def _session_story(self, request: Request, story_id: str) -> tuple[Story, Reader]:
        """The story, for a browser signed in to its own family (another family's story
        is not found, as a story that never was, whether live or expired)."""
        families = {s.family for s in self._sessions(request)} if self.private else {HOME}
        if not families:
            raise NotAllowed()
        story = self._site.stored_story(story_id)
        if story.family not in families:
            raise StoryNotFound(story_id)
        self._site.check_live(story, self._clock())
        return story, Reader(story.family)

    def _story_reader(self, request: Request, story_id: str) -> tuple[Story, Reader]:
        """The story and who reads it; a reader let in by the story's own token gets a
        new session. Access is settled before the story's state (expired) is told."""
        token = request.query.get("t")
        if not self.private:
            return self._site.live_story(story_id, self._clock()), Reader(HOME)
        if token is None:
            return self._session_story(request, story_id)
        try:
            story = self._site.stored_story(story_id)  # its family's key checks the token
        except StoryNotFound as error:
            raise NotAllowed() from error  # a token tells nobody which stories exist
        keys = self._keys(story.family)
        expires = keys.story_token_expiry(story.id, token, self._clock()) if keys else None
        if keys is None or expires is None:
            raise NotAllowed()
        self._site.check_live(story, self._clock())
        session = (keys.session_cookie(int(self._clock()), expires), expires)
        return story, Reader(keys.family, session)

    def _feed_reader(self, request: Request) -> Reader:
        token = request.query.get("feed")
        if not self.private or token is None:
            return self._session_reader(request)
        family = request.query.get("family", HOME)
        keys = self._keys(family) if FAMILY_ID.fullmatch(family) else None
        if keys is None or not keys.feed_token_valid(token):
            raise NotAllowed()
        return Reader(family)

    def _feed_url(self, request: Request, family: str) -> str:
        keys = self._keys(family)
        if keys is None:
            return f"{request.site}/feed.xml"
        suffix = "" if family == HOME else f"&family={family}"
        return f"{request.site}/feed.xml?feed={keys.feed_token()}{suffix}"

    # --- responses --------------------------------------------------------------------
    def _error(self, status: int, heading: str, message: str) -> Response:
        return Response(status, self._site.error_page(status, heading, message))

    def _refusal(self, request: Request, refused: RecordingRefused) -> Response:
        """A recording refused: told to the recording page's script in JSON (a POST),
        or as a page to whoever opened the link."""
        if request.method == "POST":
            return _json(refused.status, refused.message)
        return self._error(refused.status, "This recording link does not work", refused.message)

    def _finish(self, response: Response) -> Response:
        response.headers = self._site.security_headers() | response.headers
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = PRIVATE if self.private else "no-cache"
        if self.private and response.headers["Cache-Control"] == PRIVATE:
            response.headers["Vary"] = "Cookie"
        return response


def _json(status: int, message: str) -> Response:
    return Response(status, json.dumps({"message": message}), "application/json")


def session_cookie_name(family: str) -> str:
    """One cookie per family, so one browser reads several families' stories (a
    grandparent's phone); `home` keeps the name every session had before."""
    return SESSION_COOKIE if family == HOME else f"{SESSION_COOKIE}_{family}"


def _route(request: Request) -> tuple[Route, dict[str, Any]]:
    for route in ROUTES:
        match = route.pattern.fullmatch(request.path)
        if match:
            if request.method not in route.methods:
                raise WrongMethod(route.methods)
            return route, match.groupdict()
    if NO_STORY.pattern.fullmatch(request.path):
        return NO_STORY, {}
    raise NotHere(request.path)
