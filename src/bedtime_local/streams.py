"""A DynamoDB stream, read locally as Pipes and Lambda's event source mappings read it
in the cloud (moto keeps the stream but moves no records)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# The cloud tries a failing stream record 1 + MaximumRetryAttempts times, with backoff;
# the local run tries it a few times at once.
STREAM_TRIES = 3


class StreamReader:
    def __init__(self, streams: Any, stream_arn: str, from_start: bool = True) -> None:
        self.arn = stream_arn
        self._streams = streams
        position = "TRIM_HORIZON" if from_start else "LATEST"
        shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        self._iterators = [
            streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType=position
            )["ShardIterator"]
            for shard in shards
        ]

    def read(self) -> list[dict]:
        """The records written since the last read, as JSON (times in epoch seconds)."""
        records = []
        for index, iterator in enumerate(self._iterators):
            page = self._streams.get_records(ShardIterator=iterator)
            self._iterators[index] = page["NextShardIterator"]
            records += [wire_record(record, self.arn) for record in page["Records"]]
        return records


def wire_record(record: dict, stream_arn: str = "") -> dict:
    """A stream record as a pipe or a function receives it: JSON, with times as epoch
    seconds, and the stream it came from."""
    plain = json.loads(json.dumps(record, default=lambda value: int(value.timestamp())))
    if stream_arn:
        plain.setdefault("eventSourceARN", stream_arn)
    return plain


def deliver_records(
    records: list[dict],
    invoke: Callable[[dict], Any],
    give_up: Callable[[Any, Exception], None],
) -> None:
    """As a stream's event source mapping: the records a function's partial batch
    response reports failed are tried again, then handed to its on-failure destination."""
    for _ in range(STREAM_TRIES):
        if not records:
            return
        failed = _failed_items(invoke({"Records": records}))
        records = [record for record in records if record["dynamodb"]["SequenceNumber"] in failed]
    for record in records:
        give_up(record, RuntimeError(f"still failing after {STREAM_TRIES} tries; see its log"))


def _failed_items(result: Any) -> set[str]:
    failures = result.get("batchItemFailures") if isinstance(result, dict) else None
    return {str(failure["itemIdentifier"]) for failure in failures or []}
