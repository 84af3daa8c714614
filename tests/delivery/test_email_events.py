"""SES's bounces and complaints stop the address's email; a soft bounce does not."""

from __future__ import annotations

import copy

from bedtime import services
from bedtime.delivery.email_events import suppressions
from bedtime.handlers import email_events
from helpers import emails, home_family, night, sample_event


def bounce(**changes) -> dict:
    event = copy.deepcopy(sample_event("ses-bounce.json"))
    event["detail"]["bounce"] |= changes
    return event


def complaint(address: str) -> dict:
    event = copy.deepcopy(sample_event("ses-bounce.json"))
    event["detail-type"] = "Email Complaint Received"
    event["detail"]["eventType"] = "Complaint"
    event["detail"]["complaint"] = {"complainedRecipients": [{"emailAddress": address}]}
    del event["detail"]["bounce"]
    return event


def test_a_permanent_bounce_and_a_complaint_suppress_a_transient_bounce_does_not() -> None:
    assert [s.reason for s in suppressions(bounce())] == ["bounce"]
    assert suppressions(bounce(bounceType="Transient")) == []
    [found] = suppressions(complaint("Nan@Example.com"))
    assert (found.family, found.address, found.reason) == ("home", "nan@example.com", "complaint")


def test_an_event_without_our_family_tag_suppresses_nothing() -> None:
    event = bounce()
    event["detail"]["mail"]["tags"] = {"family": ["../other"]}
    assert suppressions(event) == []
    del event["detail"]["mail"]["tags"]
    assert suppressions(event) == []


def test_a_bounced_address_gets_no_more_email_and_the_operator_sees_it(
    aws, lambda_context, logged
) -> None:
    home_family("nan@example.com", "bounced@example.com")
    assert sorted(e.to for e in night(0)) == ["bounced@example.com", "nan@example.com"]
    email_events.handler(bounce(), lambda_context)
    [line] = [line for line in logged() if line["message"] == "email address suppressed"]
    assert (line["family"], line["address"], line["reason"]) == (
        "home",
        "bounced@example.com",
        "bounce",
    )
    assert [e.to for e in night(1)] == ["nan@example.com"]
    assert services.family_store().get("home").suppressed == {"bounced@example.com"}
    assert emails() == []


def test_an_event_for_a_family_that_has_gone_makes_no_item(aws, lambda_context) -> None:
    event = bounce()
    event["detail"]["mail"]["tags"] = {"family": ["gone"]}
    assert email_events.handler(event, lambda_context) == {"suppressed": []}
    assert services.family_store().find("gone") is None
