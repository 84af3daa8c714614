"""Each family's reader secret, kept in the Families table (encrypted at rest).

It is made the first time something needs it (the first story's announcement, `make
seed`, the local run), by a conditional put, so there is only ever one; it never
appears in the template, an event, a message or a log. The web function only reads it.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import time
from collections.abc import Callable
from typing import Any

from bedtime.core.access import Keys
from bedtime.core.settings import READER_KEYS_SECONDS
from bedtime.records.stories import HOME

__all__ = ["HOME", "NoReaderSecret", "ReaderSecrets"]
SECRET_BYTES = 32


class NoReaderSecret(LookupError):
    """The family has no reader secret to replace (no such family, or a public site's)."""


class ReaderSecrets:
    def __init__(
        self,
        dynamodb: Any,
        table: str,
        clock: Callable[[], float] = time.monotonic,
        remember_seconds: float = READER_KEYS_SECONDS,
    ) -> None:
        """A secret read is used for `remember_seconds`: the longest a rotated secret
        still opens anything in this process."""
        self._dynamodb = dynamodb
        self._table = table
        self._clock = clock
        self._remember_seconds = remember_seconds
        self._known: dict[str, tuple[bytes, float]] = {}

    def keys(self, family: str) -> Keys | None:
        """The family's signing keys, or None while it has no secret yet."""
        secret = self._cached(family) or self._read(family)
        return Keys(family, secret) if secret else None

    def ensure(self, family: str) -> Keys:
        """The family's keys, making its secret first if it has none."""
        found = self.keys(family)
        if found:
            return found
        made = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
        # Another caller may have made it first: then theirs is kept, and used.
        with contextlib.suppress(self._dynamodb.exceptions.ConditionalCheckFailedException):
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": family}},
                UpdateExpression="SET reader_secret = :secret",
                ConditionExpression="attribute_not_exists(reader_secret)",
                ExpressionAttributeValues={":secret": {"S": made}},
            )
        return Keys(family, self._read(family) or b"")

    def rotate(self, family: str) -> None:
        """A new secret: every link, feed address and session signed so far stops working.
        Only a secret that exists is replaced, so no item is made for an unknown family."""
        made = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": family}},
                UpdateExpression="SET reader_secret = :secret",
                ConditionExpression="attribute_exists(reader_secret)",
                ExpressionAttributeValues={":secret": {"S": made}},
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException as error:
            raise NoReaderSecret(family) from error
        self._known.pop(family, None)

    def _cached(self, family: str) -> bytes | None:
        known = self._known.get(family)
        if known and self._clock() - known[1] < self._remember_seconds:
            return known[0]
        return None

    def _read(self, family: str) -> bytes | None:
        item = self._dynamodb.get_item(
            TableName=self._table,
            Key={"id": {"S": family}},
            ProjectionExpression="reader_secret",
            ConsistentRead=True,
        ).get("Item")
        if not item or "reader_secret" not in item:
            return None
        secret = item["reader_secret"]["S"].encode()
        self._known[family] = (secret, self._clock())
        return secret
