"""What tests build and read: sample events, story records, a rule's deliveries, the
template as SAM translates it. Plain functions; the fixtures live in conftest.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import boto3

from bedtime.records.stories import LIFETIME, Medium, Story
from bedtime_local.outbox import Email, read_email
from bedtime_local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SAMPLE_STORY_ID = "Qm9vdHN0cmFwU3RvcnkxMjM"


def sample_event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


def emails() -> list[Email]:
    """Every email published to the stories topic so far (the aws fixture subscribes a
    queue to it, as the local run does), with the addresses its family has."""
    from bedtime import services

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="local-outbox")["QueueUrl"]
    addresses = {family.id: family.emails for family in services.family_store().all()}
    found = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        if not got.get("Messages"):
            return found
        found += [read_email(message, addresses) for message in got["Messages"]]


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


def saved_stories() -> list[Story]:
    """Every story in the Stories table, newest first."""
    from bedtime import services
    from bedtime.records.story_store import story_from

    table = services.settings().stories_table
    pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table)
    stories = [story_from(item) for page in pages for item in page["Items"]]
    return sorted(stories, key=lambda story: story.created_at, reverse=True)


def story_record(
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


class AnyAttributes(dict):
    """Attribute values for a template read without a stack: GetAtt X.Y is "X.Y"."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return key


@cache
def _translated(parameters: tuple[tuple[str, str], ...]) -> dict:
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse((ROOT / "template.yaml").read_text())
    template["Globals"]["Function"]["CodeUri"] = "s3://bucket/code.zip"  # as sam deploy sets it
    translator = Translator({}, Parser(), boto_session=boto3.Session(region_name="us-east-1"))
    return translator.translate(
        template, parameter_values=dict(parameters), get_managed_policy_map=dict
    )


def translated_template(parameters: dict[str, str] | None = None) -> dict:
    """template.yaml as the SAM translator turns it into CloudFormation, the resources
    that CloudFormation would create (Rules, Schedules, Roles, Permissions, ...)."""
    return _translated(tuple(sorted((parameters or {}).items())))


def resolved_resources(parameters: dict[str, str] | None = None) -> dict[str, dict]:
    """The translated template's resources with parameters, conditions and intrinsics
    resolved, as CloudFormation would for a stack with these parameter values."""
    from bedtime_local.template import template_resolver

    template = translated_template(parameters)
    resolver = template_resolver(template, parameters or {})
    resolver.names.update({name: name for name in template["Resources"]})
    resolver.attributes = AnyAttributes()
    kept = {}
    for name, resource in template["Resources"].items():
        condition = resource.get("Condition")
        if condition is None or resolver.conditions[condition]:
            kept[name] = resolver.resolve(resource)
    return kept


def reader_cookie(hours: float = 24) -> dict[str, str]:
    """A `cookie` header that signs the home family in (the Families table must exist)."""
    import time

    from bedtime import services
    from bedtime.core.access import SESSION_COOKIE
    from bedtime.records.stories import HOME

    keys = services.reader_secrets().ensure(HOME)
    now = int(time.time())
    return {"cookie": f"{SESSION_COOKIE}={keys.session_cookie(now, now + int(hours * 3600))}"}
