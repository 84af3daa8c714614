"""A DynamoDB stream, read locally as Pipes and Lambda's event source mappings read it
in the cloud (moto keeps the stream but moves no records)."""

from __future__ import annotations

import json
from typing import Any


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
