"""HTTP through a Lambda function URL: the request event it sends (payload version 2.0)
and the response it expects, with gzip when the client accepts it."""

from __future__ import annotations

import base64
import gzip
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

COMPRESS_AT_LEAST = 1024  # bytes; smaller bodies gain less than gzip's own overhead
# A six-minute story's 13.6 KB page: 4.1 KB at level 1, 3.7 KB at level 6 for twice the
# CPU. A phone fetches the 0.4 KB difference in less time than level 6 takes to save it.
GZIP_LEVEL = 1
COMPRESSIBLE = ("text/", "application/json", "application/rss+xml", "image/svg+xml")


class BadRequest(ValueError):
    """A request we cannot read; answered with a 400 page."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    cookies: dict[str, str]
    domain: str
    body: bytes = b""
    scheme: str = "https"  # the site's own, from its configuration: never a client's say

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body, first value of each field."""
        return _query(self.body.decode("utf-8", "replace"))

    @property
    def same_origin(self) -> bool:
        """False when the browser says the request came from another site (a form on a
        page elsewhere); True when it says nothing, as non-browser clients do. A
        browser's Sec-Fetch-Site decides: under our `Referrer-Policy: no-referrer`,
        Chromium posts a form with `Origin: null`."""
        site = self.headers.get("sec-fetch-site")
        if site is not None:
            return site in ("same-origin", "none")
        origin = self.headers.get("origin")
        return origin is None or origin == self.site

    @property
    def site(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def accepts_gzip(self) -> bool:
        """RFC 9110, section 12.5.3: gzip (or `*`) with a weight above 0; q=0 is "not"."""
        weights = {}
        for part in self.headers.get("accept-encoding", "").lower().split(","):
            coding, _, parameters = part.partition(";")
            weights[coding.strip()] = _weight(parameters)
        return weights.get("gzip", weights.get("*", 0.0)) > 0

    @classmethod
    def from_event(cls, event: Any, scheme: str = "https") -> Request:
        """The request a function URL sent; `scheme` is the site's (a function URL is
        always HTTPS), not the X-Forwarded-Proto a client may send."""
        if not isinstance(event, dict):
            raise BadRequest("not a function URL event")
        context = event.get("requestContext")
        http = context.get("http") if isinstance(context, dict) else None
        if not isinstance(http, dict) or not isinstance(http.get("method"), str):
            raise BadRequest("no HTTP method")
        return cls(
            method=http["method"].upper(),
            path=_text(event.get("rawPath") or "/"),
            query=_query(event.get("rawQueryString")),
            headers={_text(k).lower(): _text(v) for k, v in _mapping(event.get("headers"))},
            cookies=_cookies(event.get("cookies")),
            domain=_text(context.get("domainName") or "localhost"),  # type: ignore[union-attr]
            body=_body(event),
            scheme=scheme,
        )


@dataclass
class Response:
    status: int
    body: str | bytes = ""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)

    def to_event(self, request: Request | None) -> dict:
        """The function URL response; no body for HEAD, gzip when it pays and is accepted."""
        body = self.body.encode() if isinstance(self.body, str) else self.body
        headers = {"Content-Type": self.content_type, **self.headers}
        compress = (
            request is not None
            and request.accepts_gzip
            and len(body) >= COMPRESS_AT_LEAST
            and self.content_type.startswith(COMPRESSIBLE)
        )
        if compress:
            body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            headers["Content-Encoding"] = "gzip"
        if self.content_type.startswith(COMPRESSIBLE):
            headers["Vary"] = ", ".join(filter(None, (headers.get("Vary"), "Accept-Encoding")))
        if request is not None and request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        event: dict[str, Any] = {"statusCode": self.status, "headers": headers}
        if self.cookies:
            event["cookies"] = self.cookies
        if compress or not _is_text(self.content_type):
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = body.decode()
            event["isBase64Encoded"] = False
        return event


def cookie(name: str, value: str, max_age: int, secure: bool = True) -> str:
    """A session cookie; `Secure` always behind a function URL (HTTPS), and left off only
    for the local run's plain HTTP, where clients would not send it back."""
    flags = "; Secure" if secure else ""
    return f"{name}={value}; Path=/; Max-Age={max_age}{flags}; HttpOnly; SameSite=Lax"


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if not isinstance(body, str):
        raise BadRequest("the body is not text")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except ValueError as error:
            raise BadRequest("the body is not base64") from error
    return _text(body).encode()


def _weight(parameters: str) -> float:
    """A coding's q value: 1 when none is given, 0 when it cannot be read."""
    name, _, value = parameters.strip().partition("=")
    if name.strip() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 0.0


def _is_text(content_type: str) -> bool:
    return content_type.startswith(COMPRESSIBLE) or content_type.startswith("application/xml")


def _text(value: Any) -> str:
    """Text with anything a client could smuggle past an encoder (lone surrogates) removed."""
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _mapping(value: Any) -> list[tuple[Any, Any]]:
    return list(value.items()) if isinstance(value, dict) else []


def _query(raw: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in parse_qsl(_text(raw or ""), keep_blank_values=True):
        values.setdefault(key, value)
    return values


def _cookies(raw: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in raw if isinstance(raw, list) else []:
        name, _, value = _text(item).strip().partition("=")
        found.setdefault(name.strip(), value.strip())
    return found
