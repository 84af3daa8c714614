"""The web function's AWS clients on the standard library: a DynamoDB client for the
few operations the site makes, and an S3 client that presigns its media URLs and upload
forms, reads the first bytes of an object and deletes a recording.

A family's nightly tap is a cold start, and importing botocore and building its clients
was most of that page. These take the boto3 clients' call shapes (`get_item(TableName=...,
Key=...)`, the same response dicts, `exceptions.ConditionalCheckFailedException`), so the
stores use either. Credentials and Region come from the Lambda environment;
`AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL` point them at a local stack.
"""

from __future__ import annotations

import io
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from bedtime.site.connections import exchange
from bedtime.site.sigv4 import (
    Credentials,
    Scope,
    object_path,
    post_policy_fields,
    presigned_query,
    signed_headers,
)

# DynamoDB developer guide, "Error handling with DynamoDB": these may succeed if retried.
RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
MAX_ATTEMPTS = 4
RETRY_BUDGET_SECONDS = 3.0  # no new attempt after this: a parent is waiting
FIRST_BACKOFF_SECONDS = 0.05
# One slow answer may take until just before the function's 10 s timeout (a busy local
# stack is much slower than DynamoDB); an error page then is no better than a late one.
TIMEOUT_SECONDS = 8.0

# Each call's (signing name, operation, parameters), before it is sent or signed: the
# tests' IAM audit listens here, as it listens to botocore's before-parameter-build.
call_hooks: list[Callable[[str, str, dict[str, Any]], None]] = []


class ClientError(Exception):
    """An error response, shaped as botocore's: `response["Error"]["Code"]`."""

    def __init__(self, operation: str, response: dict[str, Any]) -> None:
        error = response["Error"]
        super().__init__(f"{operation}: {error['Code']}: {error['Message']}")
        self.operation_name = operation
        self.response = response


class ConditionalCheckFailedException(ClientError):
    pass


class TransactionCanceledException(ClientError):
    pass


class ResourceNotFoundException(ClientError):
    pass


class Exceptions:
    ClientError = ClientError
    ConditionalCheckFailedException = ConditionalCheckFailedException
    TransactionCanceledException = TransactionCanceledException
    ResourceNotFoundException = ResourceNotFoundException


def credentials() -> Credentials:
    return Credentials(
        os.environ["AWS_ACCESS_KEY_ID"],
        os.environ["AWS_SECRET_ACCESS_KEY"],
        os.environ.get("AWS_SESSION_TOKEN") or None,
    )


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def custom_endpoint(service_id: str) -> str | None:
    """The endpoint the environment sets for a service (botocore's variable names)."""
    return os.environ.get(f"AWS_ENDPOINT_URL_{service_id}") or os.environ.get("AWS_ENDPOINT_URL")


def send(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """POST `body` to `url`; the status and the response body."""
    status, _, data = exchange("POST", url, headers, body, TIMEOUT_SECONDS)
    return status, data


def fetch(
    url: str, headers: dict[str, str], method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """GET (or `method`, with no body) `url`; the status, the response headers
    (lower-case names) and the body."""
    return exchange(method, url, headers, b"", TIMEOUT_SECONDS)


def _error(operation: str, status: int, body: bytes) -> ClientError:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):  # a proxy's HTML page, or nothing
        data = {}
    code = str(data.pop("__type", "") or f"HTTP{status}").rsplit("#", 1)[-1]
    message = str(data.pop("message", data.pop("Message", "")))
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
        **data,
    }
    kind = {
        "ConditionalCheckFailedException": ConditionalCheckFailedException,
        "TransactionCanceledException": TransactionCanceledException,
        "ResourceNotFoundException": ResourceNotFoundException,
    }.get(code, ClientError)
    return kind(operation, response)


class DynamoDB:
    """The DynamoDB JSON protocol (API version 2012-08-10) for the site's operations."""

    exceptions = Exceptions

    def __init__(self, region_name: str, endpoint: str | None = None) -> None:
        self._scope = Scope(region_name, "dynamodb")
        self._url = endpoint or f"https://dynamodb.{region_name}.amazonaws.com"
        self._host = urlsplit(self._url).netloc

    def get_item(self, **params: Any) -> dict[str, Any]:
        return self._call("GetItem", params)

    def query(self, **params: Any) -> dict[str, Any]:
        return self._call("Query", params)

    def update_item(self, **params: Any) -> dict[str, Any]:
        return self._call("UpdateItem", params)

    def transact_write_items(self, **params: Any) -> dict[str, Any]:
        return self._call("TransactWriteItems", params)

    def get_paginator(self, operation: str) -> QueryPaginator:
        if operation != "query":
            raise NotImplementedError(operation)
        return QueryPaginator(self)

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        for hook in call_hooks:
            hook("dynamodb", operation, params)
        body = json.dumps(params).encode()
        target = {
            "Host": self._host,
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        }
        deadline = time.monotonic() + RETRY_BUDGET_SECONDS
        for attempt in range(1, MAX_ATTEMPTS + 1):
            headers = signed_headers(
                credentials(), self._scope, datetime.now(UTC), "POST", "/", {}, target, body
            )
            try:
                status, data = send(self._url, headers, body)
            except OSError:  # connections.ProtocolError too
                if _wait_before(attempt + 1, deadline):
                    continue
                raise
            if status == 200:
                result: dict[str, Any] = json.loads(data)
                return result
            error = _error(operation, status, data)
            retryable = error.response["Error"]["Code"] in RETRYABLE or status >= 500
            if not (retryable and _wait_before(attempt + 1, deadline)):
                raise error
        raise AssertionError("unreachable: the last attempt returns or raises")


def _wait_before(attempt: int, deadline: float) -> bool:
    """Sleep a full-jitter exponential backoff before `attempt`, if it is allowed and
    fits in the budget (AWS Architecture Blog, "Exponential Backoff And Jitter")."""
    if attempt > MAX_ATTEMPTS:
        return False
    pause = random.uniform(0, FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1))
    if time.monotonic() + pause >= deadline:
        return False
    time.sleep(pause)
    return True


class QueryPaginator:
    def __init__(self, dynamodb: DynamoDB) -> None:
        self._dynamodb = dynamodb

    def paginate(self, **params: Any) -> Iterator[dict[str, Any]]:
        while True:
            page = self._dynamodb.query(**params)
            yield page
            if "LastEvaluatedKey" not in page:
                return
            params = {**params, "ExclusiveStartKey": page["LastEvaluatedKey"]}


class S3Presigner:
    """Presigned GETs and upload forms in Signature Version 4 on the bucket's regional
    virtual-hosted name (or path-style under a local endpoint), as clients.S3_CONFIG has
    botocore do; and a ranged GetObject and a DeleteObject through presigned URLs."""

    exceptions = Exceptions

    def __init__(self, region_name: str, endpoint: str | None = None) -> None:
        self._scope = Scope(region_name, "s3")
        self._endpoint = endpoint

    def generate_presigned_url(
        self,
        operation: str,
        Params: dict[str, str],
        ExpiresIn: int,
    ) -> str:
        if operation != "get_object":
            raise NotImplementedError(operation)
        return self._signed_url("GET", "GetObject", Params, ExpiresIn)

    def generate_presigned_post(
        self,
        Bucket: str,
        Key: str,
        Fields: dict[str, str],
        Conditions: list[Any],
        ExpiresIn: int,
    ) -> dict[str, Any]:
        """boto3's shape: the form's `url` and `fields` (Key and Bucket are conditions)."""
        for hook in call_hooks:
            hook("s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        conditions = [*Conditions, {"bucket": Bucket}, {"key": Key}]
        signing = post_policy_fields(
            credentials(), self._scope, datetime.now(UTC), ExpiresIn, conditions
        )
        scheme, host, path = self._address(Bucket, "/")
        return {"url": f"{scheme}://{host}{path}", "fields": {**Fields, "key": Key, **signing}}

    def get_object(self, Bucket: str, Key: str, Range: str) -> dict[str, Any]:
        """boto3's shape for a ranged read: Body (with read()), ContentRange, ContentType."""
        url = self.generate_presigned_url("get_object", {"Bucket": Bucket, "Key": Key}, 60)
        status, headers, body = fetch(url, {"Range": Range})
        if status not in (200, 206):
            code = "NoSuchKey" if status == 404 else f"HTTP{status}"
            raise ClientError("GetObject", {"Error": {"Code": code, "Message": ""}})
        return {
            "Body": io.BytesIO(body),
            "ContentRange": headers.get("content-range", f"bytes 0-{len(body) - 1}/{len(body)}"),
            "ContentType": headers.get("content-type", ""),
        }

    def delete_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        """DeleteObject, sent as a DELETE of a presigned URL. S3 answers 204 whether or
        not the key was there."""
        url = self._signed_url("DELETE", "DeleteObject", {"Bucket": Bucket, "Key": Key}, 60)
        status, _, _ = fetch(url, {}, "DELETE")
        if status not in (200, 204):
            raise ClientError("DeleteObject", {"Error": {"Code": f"HTTP{status}", "Message": ""}})
        return {}

    def _signed_url(self, method: str, operation: str, params: dict[str, str], expires: int) -> str:
        for hook in call_hooks:
            hook("s3", operation, params)
        scheme, host, path = self._address(params["Bucket"], object_path(params["Key"]))
        query = presigned_query(
            credentials(), self._scope, datetime.now(UTC), host, path, expires, method
        )
        return f"{scheme}://{host}{path}?{query}"

    def _address(self, bucket: str, path: str) -> tuple[str, str, str]:
        """The scheme, host and path of `path` in the bucket."""
        if self._endpoint:
            parts = urlsplit(self._endpoint)
            return parts.scheme, parts.netloc, f"/{bucket}{path}"
        return "https", f"{bucket}.s3.{self._scope.region}.amazonaws.com", path


def light_client(service: str) -> Any:
    """The web function's client for "dynamodb" or "s3", from the environment."""
    if service == "dynamodb":
        return DynamoDB(region(), custom_endpoint("DYNAMODB"))
    if service == "s3":
        return S3Presigner(region(), custom_endpoint("S3"))
    raise NotImplementedError(service)
