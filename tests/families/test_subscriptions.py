"""An address that has not confirmed yet is listed by SNS as "PendingConfirmation", with
no ARN (SNS API reference, "ListSubscriptionsByTopic" and "Subscribe"); moto confirms
every address at once, so SNS is stubbed here with botocore's Stubber, and the remembered
ARNs are kept in the moto Families table."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from bedtime import services
from bedtime.families.subscriptions import (
    NO_FAMILY,
    TOO_MANY_ADDRESSES,
    EmailSubscriptions,
    SubscriptionRefused,
    TooManyAddresses,
    filter_policy,
)
from bedtime.handlers import families
from bedtime.records.families import FAMILY_ID
from helpers import sample_event

TOPIC = "arn:aws:sns:us-east-1:123456789012:StoryTopic"
PENDING_ARN = TOPIC + ":11111111-2222-3333-4444-555555555555"
LISTED_PENDING = {
    "Subscriptions": [
        {
            "SubscriptionArn": "PendingConfirmation",
            "Owner": "123456789012",
            "Protocol": "email",
            "Endpoint": "Nan@example.com",
            "TopicArn": TOPIC,
        }
    ]
}


@pytest.fixture
def sns(aws) -> Iterator[tuple[EmailSubscriptions, Stubber]]:
    client = boto3.client("sns")
    subscriptions = EmailSubscriptions(
        client, TOPIC, boto3.client("dynamodb"), os.environ["FAMILIES_TABLE"]
    )
    with Stubber(client) as stub:
        yield subscriptions, stub
        stub.assert_no_pending_responses()


def subscribed_pending(subscriptions: EmailSubscriptions, stub: Stubber) -> None:
    """nan@example.com subscribes for one family, and does not confirm."""
    stub.add_response("list_subscriptions_by_topic", {"Subscriptions": []}, {"TopicArn": TOPIC})
    stub.add_response(
        "subscribe",
        {"SubscriptionArn": PENDING_ARN},
        {
            "TopicArn": TOPIC,
            "Protocol": "email",
            "Endpoint": "Nan@example.com",
            "Attributes": {
                "FilterPolicy": filter_policy({"nan"}),
                "FilterPolicyScope": "MessageAttributes",
            },
            "ReturnSubscriptionArn": True,
        },
    )
    subscriptions.sync({"Nan@example.com": {"nan"}})


def test_a_pending_address_joining_a_second_family_has_its_filter_changed_not_resubscribed(
    sns,
) -> None:
    """Subscribing it again with another filter policy is refused by SNS ("Subscription
    already exists with different attributes")."""
    subscriptions, stub = sns
    subscribed_pending(subscriptions, stub)
    stub.add_response("list_subscriptions_by_topic", LISTED_PENDING, {"TopicArn": TOPIC})
    stub.add_response(
        "set_subscription_attributes",
        {},
        {
            "SubscriptionArn": PENDING_ARN,
            "AttributeName": "FilterPolicy",
            "AttributeValue": filter_policy({"nan", "leo"}),
        },
    )
    subscriptions.sync({"Nan@example.com": {"nan", "leo"}})


def test_a_pending_address_removed_is_unsubscribed_so_a_late_confirmation_hears_nothing(
    sns,
) -> None:
    subscriptions, stub = sns
    subscribed_pending(subscriptions, stub)
    stub.add_response("list_subscriptions_by_topic", LISTED_PENDING, {"TopicArn": TOPIC})
    stub.add_response("unsubscribe", {}, {"SubscriptionArn": PENDING_ARN})
    subscriptions.sync({"Nan@example.com": set()})
    # forgotten: adding it back later asks it to confirm again
    subscribed_pending(subscriptions, stub)


def test_a_pending_address_that_sns_will_not_delete_is_filtered_to_hear_no_family(
    sns,
) -> None:
    """SNS developer guide, "Deleting an Amazon SNS subscription and topic"
    (https://docs.aws.amazon.com/sns/latest/dg/sns-delete-subscription-topic.html): "You
    can't delete a subscription that's pending confirmation. Amazon SNS automatically
    deletes unconfirmed subscriptions after 48 hours." Until then it hears no family."""
    subscriptions, stub = sns
    subscribed_pending(subscriptions, stub)
    stub.add_response("list_subscriptions_by_topic", LISTED_PENDING, {"TopicArn": TOPIC})
    stub.add_client_error("unsubscribe", "InvalidParameter", http_status_code=400)
    stub.add_response(
        "set_subscription_attributes",
        {},
        {
            "SubscriptionArn": PENDING_ARN,
            "AttributeName": "FilterPolicy",
            "AttributeValue": filter_policy({NO_FAMILY}),
        },
    )
    subscriptions.sync({"Nan@example.com": set()})
    assert not FAMILY_ID.fullmatch(NO_FAMILY)  # no family can be called that
    # remembered: added back, its filter changes (a second Subscribe would be refused)
    stub.add_response("list_subscriptions_by_topic", LISTED_PENDING, {"TopicArn": TOPIC})
    stub.add_response(
        "set_subscription_attributes",
        {},
        {
            "SubscriptionArn": PENDING_ARN,
            "AttributeName": "FilterPolicy",
            "AttributeValue": filter_policy({"nan"}),
        },
    )
    subscriptions.sync({"Nan@example.com": {"nan"}})


def test_a_pending_address_sns_will_not_change_either_fails_the_change_saying_what_to_do(
    sns,
) -> None:
    subscriptions, stub = sns
    subscribed_pending(subscriptions, stub)
    stub.add_response("list_subscriptions_by_topic", LISTED_PENDING, {"TopicArn": TOPIC})
    stub.add_client_error("unsubscribe", "InvalidParameter", http_status_code=400)
    stub.add_client_error("set_subscription_attributes", "InvalidParameter", http_status_code=400)
    with pytest.raises(SubscriptionRefused, match="delete it in the SNS console"):
        subscriptions.sync({"Nan@example.com": set()})


@pytest.mark.parametrize("code", ["InvalidParameter", "AuthorizationError", "Throttled"])
def test_any_refusal_to_change_a_pending_addresss_families_fails_the_change_clearly(
    sns, code
) -> None:
    """SNS API reference, "SetSubscriptionAttributes": what it answers for a subscription
    still pending confirmation is not documented, so any refusal but NotFound fails the
    change with what to do (and the stream sends it to the failures queue)."""
    subscriptions, stub = sns
    subscribed_pending(subscriptions, stub)
    stub.add_response("list_subscriptions_by_topic", LISTED_PENDING, {"TopicArn": TOPIC})
    stub.add_client_error("set_subscription_attributes", code, http_status_code=400)
    with pytest.raises(SubscriptionRefused, match=f"nan@example.com hears \\({code}"):
        subscriptions.sync({"Nan@example.com": {"nan", "leo"}})


def test_a_remembered_arn_off_the_stories_topic_is_never_touched(sns) -> None:
    """IAM cannot scope Unsubscribe or SetSubscriptionAttributes (they name no resource
    type), so an ARN of another topic's (the operator's alarm) in the table is ignored:
    the address is subscribed afresh, and the alarm's subscription is left alone."""
    subscriptions, stub = sns
    alarm = "arn:aws:sns:us-east-1:123456789012:AlarmTopic:11111111-2222-3333-4444-555555555555"
    boto3.client("dynamodb").put_item(
        TableName=os.environ["FAMILIES_TABLE"],
        Item={"id": {"S": "email#nan@example.com"}, "subscription_arn": {"S": alarm}},
    )
    stub.add_response("list_subscriptions_by_topic", {"Subscriptions": []}, {"TopicArn": TOPIC})
    subscriptions.sync({"Nan@example.com": set()})  # no Unsubscribe, no filter change
    subscribed_pending(subscriptions, stub)


def test_an_address_whose_unconfirmed_subscription_lapsed_is_asked_again(sns) -> None:
    subscriptions, stub = sns
    subscribed_pending(subscriptions, stub)
    stub.add_response("list_subscriptions_by_topic", {"Subscriptions": []}, {"TopicArn": TOPIC})
    stub.add_client_error("set_subscription_attributes", "NotFound", http_status_code=404)
    stub.add_response("subscribe", {"SubscriptionArn": PENDING_ARN + "0"})
    subscriptions.sync({"Nan@example.com": {"nan", "leo"}})


def test_past_the_filter_policy_quota_the_change_fails_saying_which_quota_to_raise(sns) -> None:
    """SNS developer guide, "Filter policy constraints in Amazon SNS": 200 filter policies
    per topic and 10,000 per account by default; one more is refused."""
    subscriptions, stub = sns
    stub.add_response("list_subscriptions_by_topic", {"Subscriptions": []}, {"TopicArn": TOPIC})
    stub.add_client_error("subscribe", "FilterPolicyLimitExceeded", http_status_code=403)
    with pytest.raises(TooManyAddresses, match="Service Quotas"):
        subscriptions.sync({"Nan@example.com": {"nan"}})


def test_a_family_change_that_cannot_be_followed_is_logged_with_the_fix_and_retried(
    aws, lambda_context, logged, monkeypatch
) -> None:
    class Full:
        def sync(self, wanted: dict) -> None:
            raise TooManyAddresses(TOO_MANY_ADDRESSES)

    monkeypatch.setattr(services, "email_subscriptions", Full)
    event = sample_event("families-stream-insert.json")
    result = families.handler(event, lambda_context)
    assert result["batchItemFailures"] == [
        {"itemIdentifier": event["Records"][0]["dynamodb"]["SequenceNumber"]}
    ]
    assert any("Service Quotas" in line.get("exception", "") for line in logged())
