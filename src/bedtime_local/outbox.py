"""The families' emails, locally: a queue subscribed to the stories topic receives every
message SNS would email, and each is shown, and filed under its family with the
addresses its family's subscriptions would deliver it to."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bedtime_local.state import write_private

LINK = re.compile(r"here: (\S+)")


@dataclass(frozen=True)
class Email:
    family: str
    to: tuple[str, ...]
    body: str

    @property
    def link(self) -> str:
        found = LINK.search(self.body)
        return found.group(1) if found else ""

    @property
    def story_id(self) -> str:
        return self.link.split("/stories/")[-1].split("?")[0] if self.link else ""

    @property
    def late(self) -> bool:
        return "a little late" in self.body


def subscribe_outbox(sns: Any, sqs: Any, topic_arn: str) -> str:
    """A queue that receives every message published to the topic; its URL."""
    url = sqs.create_queue(QueueName="local-outbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return str(url)


def read_email(message: dict, addresses: dict[str, tuple[str, ...]]) -> Email:
    """An SNS notification (as SQS holds it) as the email it stands for."""
    notification = json.loads(message["Body"])
    attributes = notification.get("MessageAttributes", {})
    family = attributes.get("family", {}).get("Value", "")
    return Email(family, addresses.get(family, ()), notification["Message"])


def file_email(outbox: Path, email: Email) -> Path:
    folder = outbox / (email.family or "unknown")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{email.story_id or 'email'}.txt"
    write_private(path, f"To: {', '.join(email.to) or '(no address)'}\n\n{email.body}")
    return path
