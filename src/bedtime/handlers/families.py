"""FamiliesFunction: the Families table's stream → each family's email subscriptions,
its time zone for the tick, and tonight's story for a family that arrives after its make
time. Partial batch failures are reported, so one bad record is retried alone."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from bedtime import services
from bedtime.core import clock
from bedtime.core.observability import logger
from bedtime.core.settings import settings
from bedtime.families.family_changes import follow
from bedtime.records.families import Family


def follow_record(record: DynamoDBRecord, every_family: Callable[[], list[Family]]) -> None:
    change = record.raw_event.get("dynamodb", {})
    try:
        follow(
            change.get("OldImage"),
            change.get("NewImage"),
            (services.tick_state(), services.work_queues()),
            services.email_subscriptions(),
            every_family,
            clock.now(),
            settings().lead,
        )
    except Exception:
        logger.exception("family change not followed; it will be retried")
        raise


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    every_family = cache(services.family_store().all)  # read once per batch, if at all
    return dict(
        process_partial_response(
            event=event,
            record_handler=partial(follow_record, every_family=every_family),
            processor=BatchProcessor(
                event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
            ),
            context=context,
        )
    )
