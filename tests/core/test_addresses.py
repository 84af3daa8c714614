"""Email addresses are checked at every door: the family file, the deployment's
parameters and settings, and the Families stream (an item written past the file). An
address that cannot be followed reaches the failures queue, and never reaches SNS."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from test_settings import REQUIRED

from bedtime.core.addresses import is_email_address
from bedtime.core.settings import Settings, SettingsError
from bedtime.families.family_file import parse_families
from bedtime.records.catalog import CatalogError
from bedtime.records.families import Family
from bedtime_local.streams import STREAM_TRIES, deliver_records

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


def test_an_item_past_the_file_with_a_bad_address_emails_the_rest(aws, logged) -> None:
    """A family item written straight to the table, with one address that is not one:
    the good address gets tonight's email, the bad one never reaches SES, and the log
    says which it was."""
    from bedtime.delivery.nightly_email import recipients

    family = Family("nan", ZoneInfo("Europe/Madrid"), emails=("good1@example.com", "a\u0000@b.c"))
    assert recipients(family) == ["good1@example.com"]
    assert [line["message"] for line in logged()] == ["not an email address: not emailed"]


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
