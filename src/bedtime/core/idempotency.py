"""Run a piece of work once per key, with Powertools' idempotency utility."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from bedtime.core.clients import client

REMEMBER_SECONDS = 2 * 24 * 3600


def _persistence(table: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=table, boto3_client=client("dynamodb"))


def once(table: str, purpose: str, key: str, context: Any, work: Callable[[], dict]) -> dict:
    """`work()` the first time (purpose, key) is seen; its saved result after that.

    A call while the first is still running raises IdempotencyAlreadyInProgressError,
    so Lambda retries it later instead of doing the work twice.
    """
    config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=REMEMBER_SECONDS)
    if context is not None:
        config.register_lambda_context(context)

    @idempotent_function(
        data_keyword_argument="request",
        persistence_store=_persistence(table),
        config=config,
        key_prefix=purpose,
    )
    def run(request: dict) -> dict:
        return work()

    return run(request={"key": key})
