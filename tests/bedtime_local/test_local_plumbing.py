"""The local run's own plumbing: its function-URL server as a client meets it, its
make-story queue after a bad message, and the secrets it keeps on disk."""

from __future__ import annotations

import http.client
import json
import socket
import stat
from collections.abc import Iterator

import boto3
import pytest

from bedtime.core.idempotency import once
from bedtime.core.settings import settings
from bedtime.handlers import web
from bedtime_local import snapshot
from bedtime_local.function_url import FunctionUrlServer
from bedtime_local.loops import Loops
from bedtime_local.outbox import Email, file_email


@pytest.fixture
def site(aws, lambda_context) -> Iterator[FunctionUrlServer]:
    """The reading site behind the local function-URL server, on a free port."""
    server = FunctionUrlServer(lambda event: web.handler(event, lambda_context), 0)
    server.start()
    yield server
    server.stop()


def raw(server: FunctionUrlServer, request: bytes) -> bytes:
    """What the server answers to these bytes before it closes the connection."""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def ask(server: FunctionUrlServer, method: str, path: str = "/") -> http.client.HTTPResponse:
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=5)
    connection.request(method, path)
    return connection.getresponse()


def test_head_sends_one_content_length(site) -> None:
    response = ask(site, "HEAD")
    lengths = [v for k, v in response.getheaders() if k.lower() == "content-length"]
    assert len(lengths) == 1, response.getheaders()


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "BREW"])
def test_any_other_method_gets_the_functions_405_with_its_security_headers(site, method) -> None:
    response = ask(site, method)
    assert response.status == 405
    assert response.getheader("Content-Security-Policy")
    assert response.getheader("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize(
    ("length", "status"),
    [(b"abc", b"400"), (b"-1", b"400"), (b"99999999", b"413"), (b"10", b"400")],
)
def test_a_bad_content_length_is_answered_not_dropped_or_waited_on(
    site, monkeypatch, length, status
) -> None:
    monkeypatch.setattr(site.httpd.RequestHandlerClass, "timeout", 1)
    request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\nshort"
    assert raw(site, request).startswith(b"HTTP/1.1 " + status)


def test_the_kept_families_table_is_readable_by_this_user_only(aws, tmp_path) -> None:
    """It holds every family's reader secret."""
    boto3.client("s3").create_bucket(Bucket="kept-media")
    dynamodb = boto3.client("dynamodb")
    s3 = boto3.client("s3")
    snapshot.save(tmp_path / "state", dynamodb, s3, ["FamiliesTable"], "kept-media", "")
    kept = tmp_path / "state" / "FamiliesTable.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


def test_a_filed_email_with_its_private_link_is_readable_by_this_user_only(tmp_path) -> None:
    raw = b"To: a@example.com\r\nList-Id: <home.stories.example.com>\r\n\r\nRead and listen: x\r\n"
    email = Email(raw)
    path = file_email(tmp_path / "outbox", email)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_snapshot_fetches_only_what_changed_and_restores_it(aws, tmp_path) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="kept-media")
    s3.put_object(Bucket="kept-media", Key="stories/a/p.png", Body=b"one", ContentType="image/png")
    state = tmp_path / "state"
    snapshot.save(state, boto3.client("dynamodb"), s3, [], "kept-media", "")
    fetched = []
    real_get = s3.get_object
    s3.get_object = lambda **kw: fetched.append(kw["Key"]) or real_get(**kw)
    s3.put_object(Bucket="kept-media", Key="stories/b/p.png", Body=b"two", ContentType="image/png")
    snapshot.save(state, boto3.client("dynamodb"), s3, [], "kept-media", "")
    assert fetched == ["stories/b/p.png"]
    s3.delete_object(Bucket="kept-media", Key="stories/a/p.png")
    snapshot.restore(state, boto3.client("dynamodb"), s3, [], "kept-media")
    assert s3.get_object(Bucket="kept-media", Key="stories/a/p.png")["Body"].read() == b"one"


def test_work_in_progress_at_the_stop_is_not_kept_so_the_next_run_does_it(
    aws, tmp_path, lambda_context
) -> None:
    """A story cut off mid-writing by Ctrl-C is not saved; its idempotency record, kept
    in progress, would refuse the next run's request for it until its timeout."""
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    s3.create_bucket(Bucket="kept-media")
    table = settings().idempotency_table
    state = tmp_path / "state"

    def stopped_while_writing() -> dict:
        snapshot.save(state, dynamodb, s3, [table], "kept-media", table)  # the stop's save
        return {"storyId": "never kept"}

    # Given one story written, and the run stopped while another was being written
    once(table, "create-story", "written", lambda_context, lambda: {"storyId": "a"})
    once(table, "create-story", "cut-off", lambda_context, stopped_while_writing)
    # When the next run starts from what was kept and asks for both again
    for item in dynamodb.scan(TableName=table)["Items"]:
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})
    snapshot.restore(state, dynamodb, s3, [table], "kept-media")
    written = once(table, "create-story", "written", lambda_context, lambda: {"storyId": "b"})
    cut_off = once(table, "create-story", "cut-off", lambda_context, lambda: {"storyId": "c"})
    # Then the written one is not written twice, and the cut-off one is written now
    assert (written, cut_off) == ({"storyId": "a"}, {"storyId": "c"})


def test_a_bad_message_on_the_make_story_queue_does_not_end_its_loop(aws) -> None:
    said: list[str] = []
    loops = Loops(said.append)
    queue = boto3.client("sqs").create_queue(QueueName="local-make-story")["QueueUrl"]
    for body in ("not json", json.dumps({"family": "home"})):
        boto3.client("sqs").send_message(QueueUrl=queue, MessageBody=body)
    asked: list[dict] = []

    def handle(message: dict) -> None:
        asked.append(json.loads(message["Body"]))
        loops.stopping.set()

    loops.drain(boto3.client("sqs"), queue, handle, "make-story")
    assert loops.stopping.wait(timeout=30)
    assert asked == [{"family": "home"}]
    assert any("JSONDecodeError" in line for line in said)
