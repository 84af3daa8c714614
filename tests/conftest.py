"""Shared fixtures: moto resources made from template.yaml, settings, a Lambda context."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bedtime import services
from bedtime.local.functions import LambdaContext, environment
from bedtime.local.stack import LocalStack, create_stack
from bedtime.local.template import load_template, template_resolver
from bedtime.stories import LIFETIME, Medium, Story

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SAMPLE_STORY_ID = "Qm9vdHN0cmFwU3RvcnkxMjM"


def sample_event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


def delivered(stack: LocalStack, rule_prefix: str) -> list[dict]:
    """Every event the rule has delivered to its local queue so far."""
    sqs = boto3.client("sqs")
    rule = next(r for r in stack.rules if r.name.startswith(rule_prefix))
    found = []
    while True:
        got = sqs.receive_message(QueueUrl=rule.queue_url, MaxNumberOfMessages=10)
        if not got.get("Messages"):
            return found
        found += [json.loads(m["Body"]) for m in got["Messages"]]


@pytest.fixture(scope="session")
def template() -> dict:
    return load_template(ROOT / "template.yaml")


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    services.clear()
    yield
    services.clear()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, template: dict) -> Iterator[LocalStack]:
    """A moto account holding the template's tables, bucket, topic, bus and rules,
    with the functions' environment set as the template sets it (offline providers)."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("OPENAI_API_KEY", "AWS_PROFILE"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
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
        yield stack


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext("test-function")


def make_story(
    story_id: str = SAMPLE_STORY_ID,
    *,
    now: datetime | None = None,
    title: str = "Pip and Luna in the Whispering Woods",
    characters: tuple[str, str] = ("Pip", "Luna"),
    scene: str = "the Whispering Woods",
    image: Medium | None = None,
    audio: Medium | None = None,
) -> Story:
    now = now or datetime.now(UTC)
    return Story(
        id=story_id,
        night=now.date(),
        title=title,
        paragraphs=(
            f"{characters[0]} peeked out at the sky, so clear and so bright,\n"
            "the sky over the woods turned silver and white,",
            f"and {characters[1]} came along, holding on tight.\n"
            "They wished the moon a good night.",
        ),
        characters=characters,
        scene=scene,
        provider="offline",
        model="rhyming-couplets-1",
        created_at=now,
        expires_at=int((now + LIFETIME).timestamp()),
        image=image or Medium(),
        audio=audio or Medium(),
    )
