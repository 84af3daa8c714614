"""Fixtures: moto resources made from template.yaml, settings, a Lambda context.

Helpers that tests call (sample events, story records) are in helpers.py."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from functools import partial
from urllib.parse import urlsplit

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from bedtime import services
from bedtime.core.observability import logger
from bedtime.site import light_aws
from bedtime_local.functions import LambdaContext, environment
from bedtime_local.stack import LocalStack, create_stack
from bedtime_local.template import load_template, template_resolver
from helpers import ROOT
from iam_audit import is_allowed, recorder_for


@pytest.fixture(scope="session")
def template() -> dict:
    return load_template(ROOT / "template.yaml")


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    services.clear()
    yield
    services.clear()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto's server in this process, sharing mock_aws's accounts: the web function's
    clients (light_aws) speak HTTP on the standard library, which mock_aws cannot see."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}/"
    server.stop()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, template: dict, moto_server: str) -> Iterator[LocalStack]:
    """A moto account holding the template's tables, bucket, topics, email set, bus and rules,
    with the functions' environment set as the template sets it (offline providers).
    Every call a handler makes must be allowed by its function's role (iam_audit).
    The web function's requests, signed for AWS's own hosts, are sent to moto's server."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("OPENAI_API_KEY", "AWS_PROFILE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # One boto3 session for the whole run: a new one per test re-reads botocore's
    # endpoint and service files, a quarter of a second each time.
    with mock_aws(config={"core": {"reset_boto3_session": False}}):
        resolver = template_resolver(template, {})
        resolver.attributes["WebFunctionUrl.FunctionUrl"] = "https://example.lambda-url.on.aws/"
        stack = create_stack(template, resolver, lambda service: boto3.client(service))
        for key, value in environment(template, resolver).items():
            monkeypatch.setenv(key, value)
        for key in ("STORY_PROVIDER", "IMAGE_PROVIDER", "SPEECH_PROVIDER"):
            monkeypatch.setenv(key, "offline")
        monkeypatch.delenv("OPENAI_API_KEY_SECRET")
        monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")
        services.clear()
        recorder = recorder_for(stack.resolver)
        events = boto3._get_default_session().events
        events.register("before-parameter-build", recorder, unique_id="iam-audit")
        monkeypatch.setattr(light_aws, "call_hooks", [recorder.record])
        send, fetch = light_aws.send, light_aws.fetch
        monkeypatch.setattr(
            light_aws, "send", lambda url, headers, body: send(moto_server, headers, body)
        )
        monkeypatch.setattr(light_aws, "fetch", partial(_fetch_from, moto_server, fetch))
        try:
            yield stack
        finally:
            events.unregister("before-parameter-build", unique_id="iam-audit")
        denied = sorted({str(call) for call in recorder.calls if not is_allowed(call)})
        assert not denied, "the template's roles do not allow:\n" + "\n".join(denied)


def _fetch_from(server: str, fetch, url: str, headers: dict[str, str], method: str = "GET"):
    """A GET (or DELETE) signed for AWS's own host, sent to moto's server with that host
    named."""
    parts = urlsplit(url)
    moved = f"{server.rstrip('/')}{parts.path}?{parts.query}"
    return fetch(moved, {"Host": parts.netloc, **headers}, method)


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch):
    """What our logger writes from now on, as parsed JSON lines (read it by calling it)."""
    buffer = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", buffer)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line]

    return lines


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext("test-function")
