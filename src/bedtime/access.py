"""The optional reader key: given once as ?key= from the email link, then kept in a cookie."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

COOKIE = "bedtime_reader"
COOKIE_MAX_AGE = 30 * 24 * 3600


@dataclass(frozen=True)
class Decision:
    allowed: bool
    set_cookie: str | None = None


def cookie_value(key: str) -> str:
    """What the cookie holds: a digest of the key, so the cookie is not the key itself."""
    return hashlib.sha256(f"bedtime-reader:{key}".encode()).hexdigest()


def decide(expected: str | None, given_key: str | None, cookies: list[str]) -> Decision:
    if not expected:
        return Decision(allowed=True)
    if given_key is not None:
        if hmac.compare_digest(given_key.encode(), expected.encode()):
            return Decision(allowed=True, set_cookie=cookie_value(expected))
        return Decision(allowed=False)
    wanted = cookie_value(expected)
    for cookie in cookies:
        name, _, value = cookie.strip().partition("=")
        if name == COOKIE and hmac.compare_digest(value.encode(), wanted.encode()):
            return Decision(allowed=True)
    return Decision(allowed=False)
