"""Email addresses are checked at every door: the family file, the deployment's
parameters and settings, and the Families stream (an item written past the file). An
address that cannot be followed reaches the failures queue, and never reaches SNS."""

from __future__ import annotations

import json
import os
import re
from zoneinfo import ZoneInfo

import boto3
import pytest
from test_settings import REQUIRED

from bedtime import services
from bedtime.core.addresses import is_email_address
from bedtime.core.settings import Settings, SettingsError
from bedtime.families.family_file import parse_families
from bedtime.families.subscriptions import NotAnAddress
from bedtime.handlers import families
from bedtime.records.catalog import CatalogError
from bedtime.records.families import Family
from bedtime_local.streams import STREAM_TRIES, deliver_records
from helpers import ROOT

NOT_ADDRESSES = [
    "a\u0000@example.com",
    "<script>@x.y",
    "a@b,c@d",
    "@",
    "a" * 5000 + "@example.com",
    "a\u200b@example.com",
    "nan @example.com",
    "nan@example",
    "nan@example.com\n",
    "a" * 65 + "@example.com",
    "",
]
ADDRESSES = ["nan@example.com", "nan.jones+stories@mail.example.co.uk", "zoë@example.de"]
HOME = Family("home", ZoneInfo("UTC"))
PAIR = [
    {"name": "Pip", "description": "a small brave hedgehog"},
    {"name": "Luna", "description": "a wise old owl"},
]


@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_a_family_file_with_what_is_not_one_address_is_refused(text) -> None:
    family = {"id": "nan", "emails": [text], "characters": PAIR, "scenes": PAIR[:1]}
    with pytest.raises(CatalogError, match="is not an email address"):
        parse_families({"families": [family]}, HOME)


def test_addresses_a_mail_system_takes_are_taken() -> None:
    assert all(is_email_address(address) for address in ADDRESSES)
    assert is_email_address("a" * 64 + "@" + "b" * 185 + ".com")  # 254 characters
    assert not is_email_address("a" * 64 + "@" + "b" * 186 + ".com")


@pytest.mark.parametrize("text", [t for t in NOT_ADDRESSES if t and t == t.strip()])
def test_the_deployments_address_must_be_one_address(text) -> None:
    with pytest.raises(SettingsError, match="NOTIFICATION_EMAIL"):
        Settings.from_env(REQUIRED | {"NOTIFICATION_EMAIL": text})


@pytest.mark.parametrize("parameter", ["NotificationEmail", "OperatorEmail"])
def test_the_templates_address_parameters_refuse_what_is_not_one_address(
    template, parameter
) -> None:
    """CloudFormation user guide, "Parameters": AllowedPattern (a Java regular expression,
    here one Python reads alike) and MaxLength refuse a value at deploy time."""
    spec = template["Parameters"][parameter]
    allowed = re.compile(spec["AllowedPattern"])

    def accepted(text: str) -> bool:
        return len(text) <= spec["MaxLength"] and bool(allowed.fullmatch(text))

    assert accepted("") and accepted("nan@example.com") and accepted("a+b@x.example.co.uk")
    assert not any(accepted(text) for text in NOT_ADDRESSES if text)


def stream_insert(emails: list[str], family_id: str = "nan") -> dict:
    event = json.loads((ROOT / "events" / "families-stream-insert.json").read_text())
    image = event["Records"][0]["dynamodb"]["NewImage"]
    image["id"] = {"S": family_id}
    image["emails"] = {"L": [{"S": email} for email in emails]}
    return event


def subscribed() -> list[str]:
    topic = os.environ["STORY_TOPIC_ARN"]
    listed = boto3.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    return sorted(s["Endpoint"] for s in listed if s["Protocol"] == "email")


def test_an_item_past_the_file_with_a_bad_address_follows_the_rest_and_fails_the_change(
    aws, lambda_context
) -> None:
    # Given a family item written straight to the table, with one address that is not one
    event = stream_insert(["good1@example.com", "a\u0000@example.com"])
    # When the Families stream delivers it
    result = families.handler(event, lambda_context)
    # Then the good address is subscribed, the bad one never reaches SNS, and the change
    # is reported failed (so it is retried, then lands in the failures queue)
    assert subscribed() == ["good1@example.com"]
    assert result["batchItemFailures"] == [
        {"itemIdentifier": event["Records"][0]["dynamodb"]["SequenceNumber"]}
    ]
    # And a later change is still followed
    assert families.handler(stream_insert(["good2@example.com"], "leo"), lambda_context) == {
        "batchItemFailures": []
    }
    assert subscribed() == ["good1@example.com", "good2@example.com"]


def test_the_subscriptions_refuse_text_that_is_not_one_address_before_asking_sns(aws) -> None:
    with pytest.raises(NotAnAddress, match="a@b,c@d"):
        services.email_subscriptions().sync({"a@b,c@d": {"nan"}})
    assert subscribed() == []


def test_locally_a_stream_record_that_keeps_failing_reaches_the_failures_destination() -> None:
    """Lambda developer guide, "Using Lambda with DynamoDB": a record that still fails
    after its retries goes to the event source mapping's on-failure destination."""
    records = [{"dynamodb": {"SequenceNumber": str(n)}} for n in (1, 2)]
    calls: list[list[str]] = []
    given_up: list[dict] = []

    def invoke(event: dict) -> dict:
        calls.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        return {"batchItemFailures": [{"itemIdentifier": "2"}]}

    deliver_records(records, invoke, lambda record, error: given_up.append(record))
    assert calls == [["1", "2"]] + [["2"]] * (STREAM_TRIES - 1)
    assert given_up == [records[1]]
