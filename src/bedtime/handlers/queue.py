"""What the queue-fed functions share: each SQS message handled on its own, with partial
batch failures reported (Powertools batch processing). A message whose provider was
throttled goes back to its queue for later, with exponential backoff: it is never
dropped, never marked failed, and never retried in a tight loop."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from bedtime import services
from bedtime.core.observability import logger
from bedtime.providers import ProviderError

FIRST_BACKOFF_SECONDS = 30
LONGEST_BACKOFF_SECONDS = 900


def is_queue_batch(event: Any) -> bool:
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return False
    return records[0].get("eventSource") == "aws:sqs"


def each_message(event: dict, context: Any, work: Callable[[Any], object]) -> dict:
    """`work(body)` for each message's JSON body; the batch's failures, for SQS to retry."""

    def handle(record: SQSRecord) -> None:
        try:
            body = json.loads(record.body)
        except ValueError:
            logger.error("dropping a message that is not JSON", message_id=record.message_id)
            return
        try:
            work(body)
        except ProviderError as error:
            if error.throttled:
                retry_later(record)
            raise

    return dict(
        process_partial_response(
            event=event,
            record_handler=handle,
            processor=BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False),
            context=context,
        )
    )


def backoff_seconds(receive_count: int, rng: random.Random | None = None) -> int:
    """30 s, 60 s, 120 s ... up to 15 minutes, with jitter so throttled work spreads out."""
    base = min(LONGEST_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** max(0, receive_count - 1))
    return int(base * (rng or random).uniform(0.8, 1.2))


def retry_later(record: SQSRecord) -> None:
    delay = backoff_seconds(int(record.attributes.approximate_receive_count))
    logger.warning("throttled: back to the queue", message_id=record.message_id, seconds=delay)
    services.client("sqs").change_message_visibility(
        QueueUrl=services.settings().queue_url(record.event_source_arn),
        ReceiptHandle=record.receipt_handle,
        VisibilityTimeout=delay,
    )
