"""FamiliesFunction: the Families table's stream → each family's time zone for the
tick, and tonight's story for a family that arrives after its make
time. Partial batch failures are reported, so one bad record is retried alone."""

from __future__ import annotations

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


def follow_record(record: DynamoDBRecord) -> None:
    change = record.raw_event.get("dynamodb", {})
    try:
        follow(
            change.get("OldImage"),
            change.get("NewImage"),
            (services.tick_state(), services.work_queues()),
            clock.now(),
            settings().lead,
        )
    except Exception:
        logger.exception("family change not followed; it will be retried")
        raise


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> dict:
    return dict(
        process_partial_response(
            event=event,
            record_handler=follow_record,
            processor=BatchProcessor(
                event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
            ),
            context=context,
        )
    )
