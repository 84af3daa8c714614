"""Who may read: per-story tokens, feed tokens and reader sessions, signed with the
family's reader secret.

- A story token (in the email link) opens one story until that story expires.
- A feed token (in the podcast feed's address) opens the family's feed.
- An unsubscribe token (in each email's List-Unsubscribe link) stops one address's
  emails for the family, and lets that address undo it.
- A session (a cookie, set when a story token is used) opens the family's home page,
  live stories and feed until the story it came from expires.
- A recording token (in the home page's "your own voice" link) opens one story's
  recording page and takes its upload; it opens nothing else, and no story token is one.

Every value is an HMAC-SHA256 under the secret; the secret itself never leaves the
functions. Tokens are read strictly, exactly as they were signed (ASCII base64url, and
times in ASCII digits with no leading zero), before any comparison, so no crafted text
can reach an encoder or the comparison.
"""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass
from urllib.parse import urlencode

SESSION_COOKIE = "bedtime_session"
_SIGNATURE = r"[A-Za-z0-9_-]{43}"
_SECONDS = r"[1-9][0-9]{0,11}"  # as str(int) writes it: ASCII digits, no leading zero
_STORY_TOKEN = re.compile(rf"({_SECONDS})\.({_SIGNATURE})")
_FEED_TOKEN = re.compile(_SIGNATURE)
_SESSION = re.compile(rf"([a-z0-9-]{{1,40}})\.({_SECONDS})\.({_SECONDS})\.({_SIGNATURE})")


@dataclass(frozen=True)
class Session:
    family: str
    issued: int
    expires: int


class Keys:
    """Signs and checks a family's tokens with its reader secret."""

    def __init__(self, family: str, secret: bytes) -> None:
        self.family = family
        self._secret = secret

    def story_token(self, story_id: str, expires: int) -> str:
        return self._expiring("story", story_id, expires)

    def story_query(self, story_id: str, expires: int) -> str:
        """What a link adds to open this one story (the reading site reads `t`)."""
        return f"?t={self.story_token(story_id, expires)}"

    def story_token_expiry(self, story_id: str, token: str, now: float) -> int | None:
        """When a valid, unexpired token for this story expires; None for any other."""
        return self._expiry("story", story_id, token, now)

    def record_token(self, story_id: str, expires: int) -> str:
        return self._expiring("record", story_id, expires)

    def record_query(self, story_id: str, expires: int) -> str:
        """What the recording link adds to open this story's recording page (`r`)."""
        return f"?r={self.record_token(story_id, expires)}"

    def record_token_expiry(self, story_id: str, token: str) -> int | None:
        """When a recording token for this story expires (None for any other token,
        a story token included); whether it has is the caller's to tell, and say so."""
        return self._expiry("record", story_id, token, 0)

    def unsubscribe_query(self, address: str) -> str:
        """What an unsubscribe link adds: this address, for this family, with no expiry
        (an email kept for a year still lets its reader stop the next one)."""
        return "?" + urlencode(
            {"family": self.family, "address": address, "u": self._unsubscribe(address)}
        )

    def unsubscribe_valid(self, address: str, token: str) -> bool:
        return bool(_FEED_TOKEN.fullmatch(token)) and self._same(token, self._unsubscribe(address))

    def _unsubscribe(self, address: str) -> str:
        return self._sign("unsubscribe", address.strip().lower())

    def feed_token(self) -> str:
        return self._sign("feed")

    def feed_token_valid(self, token: str) -> bool:
        return bool(_FEED_TOKEN.fullmatch(token)) and self._same(token, self._sign("feed"))

    def session_cookie(self, issued: int, expires: int) -> str:
        return f"{self.family}.{issued}.{expires}.{self._sign('session', issued, expires)}"

    def session(self, cookie: str, now: float) -> Session | None:
        match = _SESSION.fullmatch(cookie)
        if not match or match.group(1) != self.family:
            return None
        issued, expires = int(match.group(2)), int(match.group(3))
        if expires <= now or issued > now + 60:
            return None
        if not self._same(match.group(4), self._sign("session", issued, expires)):
            return None
        return Session(self.family, issued, expires)

    def _expiring(self, purpose: str, story_id: str, expires: int) -> str:
        return f"{expires}.{self._sign(purpose, story_id, expires)}"

    def _expiry(self, purpose: str, story_id: str, token: str, now: float) -> int | None:
        match = _STORY_TOKEN.fullmatch(token)
        if not match or int(match.group(1)) <= now:
            return None
        expires = int(match.group(1))
        valid = self._same(match.group(2), self._sign(purpose, story_id, expires))
        return expires if valid else None

    def _sign(self, purpose: str, *parts: object) -> str:
        message = "|".join((purpose, self.family, *map(str, parts))).encode()
        digest = hmac.digest(self._secret, message, "sha256")
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    @staticmethod
    def _same(given: str, wanted: str) -> bool:
        return hmac.compare_digest(given.encode("ascii"), wanted.encode("ascii"))


def session_family(cookie: str) -> str | None:
    """The family a session cookie claims (checked only by that family's Keys)."""
    match = _SESSION.fullmatch(cookie)
    return match.group(1) if match else None
