"""The web function's AWS clients without botocore: the signer against AWS's published
vectors and botocore's own signatures, the DynamoDB client's errors and retries, and a
cold page that never imports botocore."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from bedtime import services
from bedtime.core.dynamodb_values import from_attribute, to_attribute
from bedtime.records.stories import Medium
from bedtime.records.story_store import story_from, story_item
from bedtime.site import light_aws
from bedtime.site.sigv4 import Credentials, Scope, object_path, presigned_query, signed_headers
from bedtime_local.function_url import function_url_event
from helpers import ROOT, reader_cookie, story_record, translated_template
from iam_audit import Call, arn_of

SUITE = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_SCOPE = Scope("us-east-1", "service")
SUITE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
STORY_ID = "Qm9vdHN0cmFwU3RvcnkxMjM"


@pytest.mark.parametrize(
    ("method", "query", "expected"),
    [
        ("GET", {}, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("POST", {}, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        (
            "GET",
            {"Param1": "value1"},
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
        ),
    ],
    ids=["get-vanilla", "post-vanilla", "get-vanilla-empty-query-key"],
)
def test_the_signer_matches_aws_signature_version_4_test_suite(method, query, expected) -> None:
    """The "Signature Version 4 test suite" of the AWS General Reference (the
    aws-sig-v4-test-suite files get-vanilla, post-vanilla, get-vanilla-empty-query-key):
    host example.amazonaws.com, service "service", 2015-08-30 12:36:00 UTC."""
    headers = signed_headers(
        SUITE, SUITE_SCOPE, SUITE_TIME, method, "/", query, {"Host": "example.amazonaws.com"}, b""
    )
    assert headers["X-Amz-Date"] == "20150830T123600Z"
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={expected}"
    )


def test_the_presigner_matches_the_s3_documentation_example() -> None:
    """Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS
    Signature Version 4)", its example: GET examplebucket/test.txt for 86400 seconds."""
    query = presigned_query(
        Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        Scope("us-east-1", "s3"),
        datetime(2013, 5, 24, tzinfo=UTC),
        "examplebucket.s3.amazonaws.com",
        "/test.txt",
        86400,
    )
    assert parse_qs(query)["X-Amz-Signature"] == [
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    ]


FROZEN = datetime(2026, 12, 3, 21, 4, 5, tzinfo=UTC)
KEYS = Credentials("AKIAEXAMPLE", "secret/with+chars", "session-token/with=chars")


def _botocore_at_frozen_time(moment: datetime = FROZEN):
    return mock.patch("botocore.auth.get_current_datetime", return_value=moment)


@pytest.mark.parametrize(
    "moment, keys",
    [
        (FROZEN, KEYS),
        (FROZEN + timedelta(days=1), KEYS),
        (FROZEN + timedelta(days=1), Credentials("AKIAOTHER", "another/secret", None)),
    ],
    ids=["a day", "the next day", "other keys"],
)
def test_dynamodb_requests_are_signed_as_botocore_signs_them(moment, keys) -> None:
    """One after another in one process, so the signing key kept for a day (IAM User
    Guide, "Create a signed AWS API request": the key is derived from the secret, the
    date, the Region and the service) is never another day's or another secret's."""
    body = json.dumps({"TableName": "Stories", "Key": {"id": {"S": "ab c"}}}).encode()
    headers = {
        "Host": "dynamodb.eu-west-2.amazonaws.com",
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.GetItem",
    }
    ours = signed_headers(
        keys, Scope("eu-west-2", "dynamodb"), moment, "POST", "/", {}, headers, body
    )
    request = AWSRequest("POST", "https://dynamodb.eu-west-2.amazonaws.com/", dict(headers), body)
    with _botocore_at_frozen_time(moment):
        SigV4Auth(
            BotoCredentials(keys.access_key, keys.secret_key, keys.token), "dynamodb", "eu-west-2"
        ).add_auth(request)
    assert ours["Authorization"] == request.headers["Authorization"]
    assert ours.get("X-Amz-Security-Token") == request.headers.get("X-Amz-Security-Token")


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_presigned_urls_are_signed_as_botocore_signs_them(method) -> None:
    """The method is part of the signed request (S3 API Reference, "Authenticating
    Requests: Using Query Parameters"): a page's GET URL cannot delete, nor the other way."""
    key = "stories/a b/picture~ä+.png"
    host = "media-bucket.s3.us-west-2.amazonaws.com"
    query = presigned_query(
        KEYS, Scope("us-west-2", "s3"), FROZEN, host, object_path(key), 3600, method
    )
    request = AWSRequest(method, f"https://{host}{object_path(key)}")
    with _botocore_at_frozen_time():
        S3SigV4QueryAuth(
            BotoCredentials(KEYS.access_key, KEYS.secret_key, KEYS.token), "s3", "us-west-2", 3600
        ).add_auth(request)
    theirs = urlsplit(request.url)
    assert theirs.path == object_path(key)
    assert parse_qs(query) == parse_qs(theirs.query)


def test_media_urls_use_the_regional_virtual_host_or_the_local_endpoint(monkeypatch) -> None:
    """S3 user guide, "Virtual hosting of buckets": bucket.s3.region.amazonaws.com."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    params = {"Bucket": "media", "Key": "stories/x/picture.png"}
    url = urlsplit(
        light_aws.S3Presigner("eu-west-2").generate_presigned_url("get_object", params, 60)
    )
    assert url.netloc == "media.s3.eu-west-2.amazonaws.com"
    assert parse_qs(url.query)["X-Amz-Security-Token"] == ["token"]
    local = light_aws.S3Presigner("eu-west-2", "http://127.0.0.1:4566")
    url = urlsplit(local.generate_presigned_url("get_object", params, 60))
    assert (url.netloc, url.path) == ("127.0.0.1:4566", "/media/stories/x/picture.png")


# --- errors and retries ------------------------------------------------------------
class FakeDynamoDB:
    """Answers each request with the next (status, body) and counts them."""

    def __init__(self, *answers: tuple[int, dict | bytes]) -> None:
        self.answers = list(answers)
        self.sent: list[dict] = []

    def __call__(self, url: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        self.sent.append(headers)
        status, answer = self.answers.pop(0)
        return status, answer if isinstance(answer, bytes) else json.dumps(answer).encode()


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setattr(light_aws.time, "sleep", lambda seconds: None)

    def install(*answers: tuple[int, dict | bytes]) -> FakeDynamoDB:
        server = FakeDynamoDB(*answers)
        monkeypatch.setattr(light_aws, "send", server)
        return server

    return install


THROTTLED = (400, {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException"})


def test_throttling_is_retried_then_answered(fake) -> None:
    server = fake(THROTTLED, (503, b"<html>busy</html>"), (200, {"Item": {"id": {"S": "a"}}}))
    dynamodb = light_aws.DynamoDB("us-east-1")
    assert dynamodb.get_item(TableName="t", Key={"id": {"S": "a"}}) == {"Item": {"id": {"S": "a"}}}
    assert len(server.sent) == 3


def test_throttling_gives_up_after_the_last_attempt(fake) -> None:
    server = fake(*[THROTTLED] * light_aws.MAX_ATTEMPTS)
    with pytest.raises(light_aws.ClientError) as raised:
        light_aws.DynamoDB("us-east-1").get_item(TableName="t", Key={})
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert len(server.sent) == light_aws.MAX_ATTEMPTS


def test_a_lost_connection_is_retried_and_the_last_loss_raised(fake, monkeypatch) -> None:
    sent = []

    def unreachable(url: str, headers: dict, body: bytes) -> tuple[int, bytes]:
        sent.append(headers)
        raise ConnectionResetError("reset by peer")

    monkeypatch.setattr(light_aws, "send", unreachable)
    with pytest.raises(ConnectionResetError):
        light_aws.DynamoDB("us-east-1").get_item(TableName="t", Key={})
    assert len(sent) == light_aws.MAX_ATTEMPTS


def test_retries_stop_at_the_budget(fake, monkeypatch) -> None:
    server = fake(*[THROTTLED] * light_aws.MAX_ATTEMPTS)
    monkeypatch.setattr(light_aws, "RETRY_BUDGET_SECONDS", 0.0)
    with pytest.raises(light_aws.ClientError):
        light_aws.DynamoDB("us-east-1").get_item(TableName="t", Key={})
    assert len(server.sent) == 1


def test_a_failed_condition_is_the_exception_the_stores_catch_with_its_item(fake) -> None:
    """DynamoDB API reference, UpdateItem: ReturnValuesOnConditionCheckFailure=ALL_OLD
    returns the item with the ConditionalCheckFailedException."""
    server = fake(
        (
            400,
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                "message": "The conditional request failed",
                "Item": {"id": {"S": "a"}},
            },
        )
    )
    dynamodb = light_aws.DynamoDB("us-east-1")
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException) as raised:
        dynamodb.update_item(TableName="t", Key={"id": {"S": "a"}}, UpdateExpression="SET a = b")
    assert raised.value.response["Item"] == {"id": {"S": "a"}}
    assert len(server.sent) == 1


def test_a_missing_table_is_not_found_and_not_retried(fake) -> None:
    server = fake((400, {"__type": "x#ResourceNotFoundException", "message": "no table"}))
    dynamodb = light_aws.DynamoDB("us-east-1")
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
        dynamodb.query(TableName="t")
    assert len(server.sent) == 1


def test_a_paginated_query_follows_the_last_evaluated_key(fake) -> None:
    server = fake(
        (200, {"Items": [1], "LastEvaluatedKey": {"k": {"S": "1"}}}), (200, {"Items": [2]})
    )
    pages = light_aws.DynamoDB("us-east-1").get_paginator("query").paginate(TableName="t")
    assert [page["Items"] for page in pages] == [[1], [2]]
    assert len(server.sent) == 2


# --- the store's values, without boto3 -----------------------------------------------
def test_story_values_convert_as_boto3_converts_them() -> None:
    plain = {"n": 3, "d": Decimal("1.5"), "s": "x", "b": True, "z": None, "l": [1, {"m": "y"}]}
    assert {k: to_attribute(v) for k, v in plain.items()} == {
        k: TypeSerializer().serialize(v) for k, v in plain.items()
    }
    item = story_item(story_record())
    assert {k: from_attribute(v) for k, v in item.items()} == {
        k: TypeDeserializer().deserialize(v) for k, v in item.items()
    }


def _attribute_values(attribute: dict) -> int:
    """How many typed values an attribute holds, itself included (what a reader parses)."""
    ((kind, value),) = attribute.items()
    inner = value if kind == "L" else value.values() if kind == "M" else ()
    return 1 + sum(_attribute_values(item) for item in inner)


def _long_story():
    """A story of a hundred lines, narrated: line times for the title and each line."""
    story = story_record()
    stanzas = tuple(
        "\n".join(f'Line {n}, with "quotes" and é.' for n in range(4)) for _ in range(25)
    )
    audio = Medium("done", key="narration.mp3", line_times=tuple(range(0, 101_000, 1000)))
    return replace(story, paragraphs=stanzas, audio=audio)


def test_a_story_item_holds_its_stanzas_and_line_times_as_one_string_each() -> None:
    """The page's GetItem carries and parses the whole item: a hundred-line story is a few
    dozen attribute values, not one per line and one per line time."""
    story = _long_story()
    item = story_item(story)
    assert item["paragraphs"].keys() == item["audio_line_times"].keys() == {"S"}
    assert sum(_attribute_values(value) for value in item.values()) < 40
    assert story_from(item) == story


def test_story_items_written_as_lists_still_read() -> None:
    """Items written before the compact form live on for their two days after an update."""
    story = _long_story()
    item = story_item(story) | {
        "paragraphs": {"L": [{"S": stanza} for stanza in story.paragraphs]},
        "audio_line_times": {"L": [{"N": str(time)} for time in story.audio.line_times]},
    }
    assert story_from(item) == story


# --- the web function on them ------------------------------------------------------
def test_the_iam_audit_hears_the_web_functions_calls(aws, lambda_context) -> None:
    from bedtime.handlers import web

    services.story_store().add(story_record())
    event = function_url_event(
        "GET", f"/stories/{STORY_ID}", reader_cookie(), b"", "example.test", "203.0.113.9"
    )
    assert web.handler(event, lambda_context)["statusCode"] == 200
    recorder = light_aws.call_hooks[0].__self__  # type: ignore[attr-defined]
    assert Call("WebFunctionRole", "dynamodb:GetItem", arn_of("StoriesTable")) in recorder.calls


def test_a_cold_story_page_never_imports_botocore(aws, moto_server) -> None:
    """The whole first page, in a fresh process, against moto's server."""
    services.story_store().add(story_record())
    event = function_url_event(
        "GET", f"/stories/{STORY_ID}", reader_cookie(), b"", "example.test", "203.0.113.9"
    )
    code = (
        "import json, os, sys\n"
        "from bedtime.handlers.web import handler\n"
        "response = handler(json.loads(os.environ['EVENT']), None)\n"
        "print(response['statusCode'], sorted(m for m in sys.modules if m.startswith('boto')))\n"
    )
    env = dict(os.environ) | {
        "EVENT": json.dumps(event),
        "PYTHONPATH": str(ROOT / "src"),
        "AWS_ENDPOINT_URL_DYNAMODB": moto_server,
        "AWS_ENDPOINT_URL_S3": moto_server,
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split(maxsplit=1) == ["200", "[]\n"]


def test_one_request_ends_before_the_web_function_times_out() -> None:
    """Lambda developer guide, "Configure Lambda function timeout": the function is
    stopped at its timeout, so a slow answer must be given up on, and logged, before it."""
    web = translated_template()["Resources"]["WebFunction"]["Properties"]
    assert web["Timeout"] > light_aws.TIMEOUT_SECONDS
