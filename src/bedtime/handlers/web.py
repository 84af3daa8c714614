"""WebFunction: the reading site behind a Lambda function URL."""

from __future__ import annotations

import json
import mimetypes
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from bedtime import services
from bedtime.access import COOKIE, COOKIE_MAX_AGE, decide
from bedtime.observability import logger
from bedtime.stories import StoryExpired, StoryNotFound

app = LambdaFunctionUrlResolver()
OPEN_PREFIXES = ("/static/",)  # no story data: served without the reader key

PAGE_CACHE = "private, max-age=300"  # presigned media URLs in the page live an hour
NO_CACHE = "no-cache"


@cache
def static_files() -> dict[str, tuple[bytes, str]]:
    root = services.site().static_root
    return {
        path.name: (
            path.read_bytes(),
            mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        )
        for path in root.iterdir()
        if path.is_file()
    }


def security_headers(cache_control: str) -> dict[str, str]:
    media = services.site().media_origin
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; img-src 'self' {media}; media-src {media}; "
            "style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "Cache-Control": cache_control,
    }


def html(body: str, status: int = 200, cache_control: str = PAGE_CACHE) -> Response:
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=body,
        headers=security_headers(cache_control),
    )


def error(status: int, heading: str, message: str, cache_control: str = "no-store") -> Response:
    return html(services.site().error_page(status, heading, message), status, cache_control)


def now() -> datetime:
    return datetime.now(UTC)


def require_reader_key(app: LambdaFunctionUrlResolver, next_middleware: NextMiddleware) -> Response:
    event = app.current_event
    if event.raw_path.startswith(OPEN_PREFIXES):
        return next_middleware(app)
    decision = decide(
        services.reader_key(), event.get_query_string_value("key"), event.cookies or []
    )
    if not decision.allowed:
        return error(
            401, "This bedtime story is private", "Open it with the link from tonight's email."
        )
    response = next_middleware(app)
    if decision.set_cookie:
        response.cookies.append(
            Cookie(
                name=COOKIE,
                value=decision.set_cookie,
                path="/",
                secure=True,
                http_only=True,
                same_site=SameSite.LAX_MODE,
                max_age=COOKIE_MAX_AGE,
            )
        )
    return response


app.use(middlewares=[require_reader_key])


@app.get("/")
def home() -> Response:
    return html(services.site().home(now()), cache_control=NO_CACHE)


@app.get("/stories/<story_id>")
def story(story_id: str) -> Response:
    if story_id.endswith(".json"):
        data = services.site().story_data(story_id.removesuffix(".json"), now())
        return Response(
            status_code=200,
            content_type="application/json",
            body=json.dumps(data),
            headers=security_headers(PAGE_CACHE),
        )
    return html(services.site().story_page(story_id, now()))


@app.get("/stories/<story_id>/narration.mp3")
def narration(story_id: str) -> Response:
    headers = security_headers(NO_CACHE) | {
        "Location": services.site().narration_url(story_id, now())
    }
    return Response(status_code=302, body="", headers=headers)


@app.get("/feed.xml")
def feed() -> Response:
    event = app.current_event
    scheme = event.headers.get("x-forwarded-proto", "https")
    site_url = f"{scheme}://{event.request_context.domain_name}"
    return Response(
        status_code=200,
        content_type="application/rss+xml; charset=utf-8",
        body=services.site().feed(site_url, now()),
        headers=security_headers("public, max-age=600"),
    )


@app.get("/static/<name>")
def static(name: str) -> Response:
    found = static_files().get(name)
    if found is None:
        raise StoryNotFound(name)
    body, content_type = found
    return Response(
        status_code=200,
        content_type=content_type,
        body=body.decode(),
        headers=security_headers("public, max-age=3600"),
    )


@app.not_found
def not_found(_: Exception) -> Response:
    return error(404, "Nothing here", "There is no page at this address.")


@app.exception_handler(StoryNotFound)
def unknown_story(_: StoryNotFound) -> Response:
    return error(
        404, "Story not found", "We could not find that story. Perhaps the link was cut short?"
    )


@app.exception_handler(StoryExpired)
def expired_story(_: StoryExpired) -> Response:
    return error(
        410,
        "This story has drifted away",
        "Stories stay for two days, like a dream in the morning. Tonight brings a new one.",
        cache_control="public, max-age=3600",
    )


@logger.inject_lambda_context
def handler(event: dict, context: Any) -> dict:
    return app.resolve(event, context)
