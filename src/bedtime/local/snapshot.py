"""What survives a restart of `make run`: every table's items and the bucket's files,
saved in .local/state/ when the run stops and put back when it starts (`make clean`
wipes them). Schedules need no saving: they follow the Families table's stream."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save(state: Path, dynamodb: Any, s3: Any, tables: list[str], bucket: str) -> None:
    state.mkdir(parents=True, exist_ok=True)
    for table in tables:
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            items += page["Items"]
        (state / f"{table}.json").write_text(json.dumps(items))
    files = state / "bucket"
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for found in page.get("Contents", []):
            target = files / found["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            got = s3.get_object(Bucket=bucket, Key=found["Key"])
            target.write_bytes(got["Body"].read())
            target.with_name(target.name + ".type").write_text(got["ContentType"])


def restore(state: Path, dynamodb: Any, s3: Any, tables: list[str], bucket: str) -> int:
    """Put back what `save` kept; how many items it put back."""
    restored = 0
    for table in tables:
        path = state / f"{table}.json"
        items = json.loads(path.read_text()) if path.exists() else []
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            dynamodb.batch_write_item(RequestItems={table: requests})
        restored += len(items)
    files = state / "bucket"
    for path in sorted(files.rglob("*")) if files.exists() else []:
        if path.is_file() and not path.name.endswith(".type"):
            content_type = path.with_name(path.name + ".type").read_text()
            key = str(path.relative_to(files))
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)
    return restored
