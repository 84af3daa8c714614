"""SES's bounces and complaints stop the address's email; a soft bounce does not."""

from __future__ import annotations

import copy
import json

from bedtime import services
from bedtime.delivery.email_events import suppressions
from bedtime.handlers import email_events
from bedtime.handlers.email_events import SUPPRESSED_METRIC
from bedtime_local.template import template_resolver
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


def test_each_suppressed_address_counts_in_the_metric_the_operators_alarm_watches(
    aws, lambda_context, template, capsys
) -> None:
    """CloudWatch User Guide, "Using the embedded metric format with Lambda" and
    "Specification: Embedded metric format": a JSON line on stdout whose
    `_aws.CloudWatchMetrics` names a namespace, dimension sets and metrics becomes a
    metric. An alarm watches one metric, known by its namespace, name and every
    dimension ("Using Amazon CloudWatch alarms"): the alarm's must be the line's."""
    home_family("nan@example.com", "bounced@example.com")
    capsys.readouterr()
    email_events.handler(bounce(), lambda_context)
    email_events.handler(bounce(bounceType="Transient"), lambda_context)
    marked, unmarked = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    assert (marked[SUPPRESSED_METRIC], unmarked[SUPPRESSED_METRIC]) == ([1.0], [0.0])

    spec = template["Resources"]["SuppressionsAlarm"]["Properties"]
    watched = {key: value for key, value in spec.items() if key != "AlarmActions"}
    alarm = template_resolver(template, {}).resolve(watched)
    [directive] = marked["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == alarm["Namespace"]
    assert {"Name": SUPPRESSED_METRIC, "Unit": "Count"} in directive["Metrics"]
    assert alarm["MetricName"] == SUPPRESSED_METRIC
    assert directive["Dimensions"] == [[d["Name"] for d in alarm["Dimensions"]]]
    assert all(marked[d["Name"]] == d["Value"] for d in alarm["Dimensions"])
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum",
        0,
        "GreaterThanThreshold",
    )
    assert alarm["TreatMissingData"] == "notBreaching"
    assert spec["AlarmActions"] == [{"Ref": "AlertsTopic"}]
