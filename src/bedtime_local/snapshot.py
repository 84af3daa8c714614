"""What survives a restart of `make run`: every table's items and the bucket's files,
saved in .local/state/ when the run stops and put back when it starts (`make clean`
wipes them). Schedules need no saving: they follow the Families table's stream."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bedtime_local.state import write_private

# Powertools' mark of an invocation still running: it dies with the process, as Lambda
# would stop it, and is not kept, so the next run does that work again at once (kept, it
# would refuse the work until the invocation's timeout had passed).
IN_PROGRESS = {"S": "INPROGRESS"}  # its "status"


def save(
    state: Path, dynamodb: Any, s3: Any, tables: list[str], bucket: str, idempotency: str
) -> None:
    """Every table, and each object not already kept as it is now (its ETag), fetched
    side by side: stopping waits for this, and Ctrl-C should take a second or so. The
    `idempotency` table is kept without the marks of work still in progress."""
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = state / "bucket"
    with ThreadPoolExecutor(max_workers=8) as pool:
        for table, items in zip(
            tables, pool.map(lambda t: _items(dynamodb, t), tables), strict=True
        ):
            if table == idempotency:
                items = [item for item in items if item.get("status") != IN_PROGRESS]
            write_private(state / f"{table}.json", json.dumps(items))
        changed = [
            found
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for found in page.get("Contents", [])
            if _kept_etag(files / found["Key"]) != found["ETag"]
        ]
        list(pool.map(lambda found: _keep_object(s3, bucket, files, found), changed))


def _items(dynamodb: Any, table: str) -> list[dict]:
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        items += page["Items"]
    return items


def _kept_etag(target: Path) -> str | None:
    etag = target.with_name(target.name + ".etag")
    return etag.read_text() if etag.exists() and target.exists() else None


def _keep_object(s3: Any, bucket: str, files: Path, found: dict) -> None:
    target = files / found["Key"]
    target.parent.mkdir(parents=True, exist_ok=True)
    got = s3.get_object(Bucket=bucket, Key=found["Key"])
    target.write_bytes(got["Body"].read())
    target.with_name(target.name + ".type").write_text(got["ContentType"])
    target.with_name(target.name + ".etag").write_text(got["ETag"])


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
        if path.is_file() and path.suffix not in (".type", ".etag"):
            content_type = path.with_name(path.name + ".type").read_text()
            key = str(path.relative_to(files))
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type)
    return restored
