"""Who gets a family's email: one SNS email subscription per address, whose filter policy
lists the families that address belongs to (a grandparent can have three). A story's
email is published with its family as a message attribute, so it reaches only that
family's addresses (SNS developer guide, "Amazon SNS message filtering")."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from bedtime.families import Family

PENDING = "PendingConfirmation"  # the ARN SNS reports until the address confirms


def families_by_email(families: Iterable[Family]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for family in families:
        for email in family.emails:
            found[email.strip().lower()].add(family.id)
    return found


def filter_policy(families: set[str]) -> str:
    return json.dumps({"family": sorted(families)})


class EmailSubscriptions:
    def __init__(self, sns: Any, topic_arn: str) -> None:
        self._sns = sns
        self._topic = topic_arn

    def sync(self, wanted: dict[str, set[str]]) -> None:
        """Make each address receive exactly its families' emails (none: unsubscribe it)."""
        existing = self._subscriptions()
        for email, families in sorted(wanted.items()):
            self._sync(email, families, existing.get(email.lower()))

    def _sync(self, email: str, families: set[str], existing: str | None) -> None:
        if not families:
            if existing and existing != PENDING:
                self._sns.unsubscribe(SubscriptionArn=existing)
            return
        if existing and existing != PENDING:
            self._sns.set_subscription_attributes(
                SubscriptionArn=existing,
                AttributeName="FilterPolicy",
                AttributeValue=filter_policy(families),
            )
            return
        self._sns.subscribe(  # asks the address to confirm (again, if still pending)
            TopicArn=self._topic,
            Protocol="email",
            Endpoint=email,
            Attributes={
                "FilterPolicy": filter_policy(families),
                "FilterPolicyScope": "MessageAttributes",
            },
            ReturnSubscriptionArn=True,
        )

    def _subscriptions(self) -> dict[str, str]:
        """Each email address subscribed to the topic, and its subscription's ARN."""
        pages = self._sns.get_paginator("list_subscriptions_by_topic").paginate(
            TopicArn=self._topic
        )
        return {
            subscription["Endpoint"].lower(): str(subscription["SubscriptionArn"])
            for page in pages
            for subscription in page["Subscriptions"]
            if subscription["Protocol"] == "email"
        }
