"""Tell the operator about a retiring or retired model once, not once a story.

A conditional PutItem in the idempotency table, keyed on the model and what happened to
it, decides which of many concurrent invocations publishes to the operator's alerts
topic; the others see the condition fail and stay quiet. The record expires after a week,
so a model left unfixed is raised again weekly, never nightly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from bedtime.core.observability import logger
from bedtime.providers import ModelGone
from bedtime.providers.lifecycle import ConfiguredModel, ModelStatus

REMIND_AFTER = timedelta(days=7)
SUBJECT_LIMIT = 100  # SNS Publish: a subject is at most 100 characters (SNS API reference)


class ModelAlarm:
    def __init__(self, dynamodb: Any, table: str, sns: Any, topic_arn: str) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._sns = sns
        self._topic_arn = topic_arn

    def raise_once(self, key: str, subject: str, message: str, now: datetime) -> bool:
        """Publish unless this key was raised within the week; True when it published."""
        seconds = int(now.timestamp())
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item={
                    "id": {"S": f"model-alarm#{key}"},
                    "expiration": {"N": str(int((now + REMIND_AFTER).timestamp()))},
                },
                # DynamoDB's TTL deletes late (Developer Guide, "Time to Live"): an expired
                # record that is still there counts as gone.
                ConditionExpression="attribute_not_exists(id) OR expiration < :now",
                ExpressionAttributeValues={":now": {"N": str(seconds)}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        self._sns.publish(
            TopicArn=self._topic_arn, Subject=subject[:SUBJECT_LIMIT], Message=message
        )
        logger.warning("operator alarmed", key=key, subject=subject)
        return True

    def model_gone(
        self, error: ModelGone, configured: ConfiguredModel, instead: str, now: datetime
    ) -> bool:
        message = (
            f"The provider no longer serves {error.model} ({configured.parameter}): {error}\n\n"
            f"Until you change {configured.parameter}, each story uses {instead} instead. "
            f"To fix: sam deploy --parameter-overrides {configured.parameter}=<a served model>."
            " The README's 'Configuration' section says how to find one."
        )
        subject = f"Bedtime Stories: {configured.parameter}={error.model} is retired"
        return self.raise_once(f"gone#{error.model}", subject, message, now)

    def model_status(self, status: ModelStatus, now: datetime) -> bool:
        """The weekly check's finding, for a model gone or retiring within 30 days."""
        configured = status.configured
        subject = f"Bedtime Stories: {configured.parameter}={configured.model} is {status.state}"
        return self.raise_once(f"{status.state}#{configured.model}", subject, status.message, now)


def alarm_for(statuses: list[ModelStatus], alarm: ModelAlarm, now: datetime) -> list[str]:
    """Log each model's status; raise the alarm (once) for each one gone or retiring."""
    findings = []
    for status in statuses:
        findings.append(status.message)
        if status.state == "alive":
            logger.info("model served", model=status.configured.model, state=status.state)
            continue
        logger.error(
            "model retiring" if status.state == "retiring" else "model retired",
            parameter=status.configured.parameter,
            model=status.configured.model,
            shutdown=str(status.shutdown or ""),
            fix=status.fix,
        )
        alarm.model_status(status, now)
    return findings
