"""Who gets a family's email: one SNS email subscription per address, whose filter policy
lists the families that address belongs to (a grandparent can have three). A story's
email is published with its family as a message attribute, so it reaches only that
family's addresses (SNS developer guide, "Amazon SNS message filtering")."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from bedtime.core.addresses import is_email_address
from bedtime.records.families import Family

ADDRESS = "email#"  # Families table items that remember an address's subscription
NO_FAMILY = "-"  # matches no family id (FAMILY_ID): a filter policy that lets nothing through
TOO_MANY_ADDRESSES = (
    "SNS refused another email address: each address is one filter policy, and SNS allows "
    "200 per topic and 10,000 per account by default. To fix: in Service Quotas, Amazon "
    "SNS, raise the filter policies quota; then redrive the failures queue."
)


class NotAnAddress(ValueError):
    """A family's item lists text that is not one email address."""


class SubscriptionRefused(RuntimeError):
    """SNS refused to change an address's subscription; the message says what to do."""


class TooManyAddresses(RuntimeError):
    """The topic's filter-policy quota is reached (SNS developer guide, "Filter policy
    constraints in Amazon SNS")."""


def families_by_email(families: Iterable[Family]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for family in families:
        for email in family.emails:
            found[email.strip().lower()].add(family.id)
    return found


def filter_policy(families: set[str]) -> str:
    return json.dumps({"family": sorted(families)})


class EmailSubscriptions:
    """Until an address confirms, the topic lists its subscription as "PendingConfirmation",
    with no ARN; Subscribe with ReturnSubscriptionArn gives the ARN even then (SNS API
    reference, "Subscribe"). So each ARN is remembered in the Families table, and a
    pending address's families can change, or it can be removed, like any other."""

    def __init__(self, sns: Any, topic_arn: str, dynamodb: Any, table: str) -> None:
        self._sns = sns
        self._topic = topic_arn
        self._dynamodb = dynamodb
        self._table = table

    def sync(self, wanted: dict[str, set[str]]) -> None:
        """Make each address receive exactly its families' emails (none: unsubscribe it).
        Text that is not one address (an item written past the family file's check) never
        reaches SNS: the others are followed, then NotAnAddress fails the change, so it
        is retried and ends in the failures queue."""
        refused = sorted(email for email in wanted if not is_email_address(email.strip()))
        listed = self._listed()
        for email, families in sorted(wanted.items()):
            if email in refused:
                continue
            address = email.strip().lower()
            self._sync(email, address, families, listed.get(address) or self._remembered(address))
        if refused:
            raise NotAnAddress(
                "not subscribed, as each is not one email address: " + ", ".join(map(repr, refused))
            )

    def _sync(self, email: str, address: str, families: set[str], arn: str | None) -> None:
        missing = self._sns.exceptions.NotFoundException
        if not families:
            if arn and self._unsubscribe(arn):
                self._forget(address)
            return
        if arn:
            try:
                self._sns.set_subscription_attributes(
                    SubscriptionArn=arn,
                    AttributeName="FilterPolicy",
                    AttributeValue=filter_policy(families),
                )
                return
            except missing:
                pass  # it lapsed unconfirmed: ask again
            except ClientError as error:  # SNS does not document a pending one's answer
                raise SubscriptionRefused(
                    f"SNS refused to change which families {address} hears ({_said(error)});"
                    " its subscription may still await confirmation. Once it is confirmed,"
                    " or has lapsed after 48 hours, redrive the failures queue."
                ) from error
        try:
            made = self._sns.subscribe(  # asks the address to confirm
                TopicArn=self._topic,
                Protocol="email",
                Endpoint=email,
                Attributes={
                    "FilterPolicy": filter_policy(families),
                    "FilterPolicyScope": "MessageAttributes",
                },
                ReturnSubscriptionArn=True,
            )
        except self._sns.exceptions.FilterPolicyLimitExceededException as error:
            raise TooManyAddresses(TOO_MANY_ADDRESSES) from error
        self._remember(address, made["SubscriptionArn"])

    def _unsubscribe(self, arn: str) -> bool:
        """Whether the subscription is gone. SNS developer guide, "Deleting an Amazon SNS
        subscription and topic": a subscription pending confirmation can't be deleted; SNS
        deletes it after 48 hours unconfirmed. Until then its filter lets no family
        through, so a late confirmation hears nothing, and its ARN is kept, so the address
        can be added back (a second Subscribe with other attributes is refused)."""
        missing = self._sns.exceptions.NotFoundException
        try:
            self._sns.unsubscribe(SubscriptionArn=arn)
            return True
        except missing:
            return True  # it lapsed unconfirmed: already gone
        except self._sns.exceptions.InvalidParameterException:
            pass  # still pending confirmation
        try:
            self._sns.set_subscription_attributes(
                SubscriptionArn=arn,
                AttributeName="FilterPolicy",
                AttributeValue=filter_policy({NO_FAMILY}),
            )
        except missing:
            return True
        except ClientError as error:
            raise SubscriptionRefused(
                f"an address left while its subscription {arn} awaits confirmation, and SNS"
                f" refused to change it ({_said(error)}); if it is confirmed within 48 hours,"
                " delete it in the SNS console"
            ) from error
        return False

    def _listed(self) -> dict[str, str]:
        """Each confirmed email address on the topic, and its subscription's ARN."""
        pages = self._sns.get_paginator("list_subscriptions_by_topic").paginate(
            TopicArn=self._topic
        )
        return {
            subscription["Endpoint"].lower(): str(subscription["SubscriptionArn"])
            for page in pages
            for subscription in page["Subscriptions"]
            if subscription["Protocol"] == "email"
            and str(subscription["SubscriptionArn"]).startswith("arn:")
        }

    def _remembered(self, address: str) -> str | None:
        """The address's remembered ARN, if it is one of the stories topic's: IAM cannot
        keep Unsubscribe and SetSubscriptionAttributes off other subscriptions (the
        operator's alarm), so this code does."""
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"id": {"S": ADDRESS + address}}, ConsistentRead=True
        ).get("Item")
        arn = item["subscription_arn"]["S"] if item else None
        return arn if arn and arn.startswith(self._topic + ":") else None

    def _remember(self, address: str, arn: str) -> None:
        self._dynamodb.put_item(
            TableName=self._table,
            Item={"id": {"S": ADDRESS + address}, "subscription_arn": {"S": arn}},
        )

    def _forget(self, address: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key={"id": {"S": ADDRESS + address}})


def _said(error: ClientError) -> str:
    said = error.response.get("Error", {})
    return f"{said.get('Code', 'refused')}: {said.get('Message', '')}"
