"""Every AWS call a handler makes in a test, judged against its function's role in the
translated template as IAM would judge it: the action, and the resource's ARN.

moto allows every call, so without this a missing grant shows up only on the first
real night. What it rests on:

- action names and ARN formats: the Service Authorization Reference pages "Actions,
  resources, and condition keys for" Amazon DynamoDB, Amazon S3, Amazon SES, Amazon
  SNS, Amazon SQS, Amazon EventBridge, Amazon EventBridge Scheduler, AWS Secrets Manager, AWS
  Lambda, Amazon Bedrock and IAM; an action listed there with no resource type needs
  `"Resource": "*"`;
- SESv2 SendEmail is authorized on the sending identity and on the configuration set:
  "Controlling access to Amazon SES" in the SES Developer Guide; with raw content it is
  also authorized as ses:SendRawEmail (the refusal names that action: re:Post Knowledge
  Center, "How do I resolve an Unauthorized error when I send emails with Amazon SES?");
- S3 calls that take the permission of another action (HeadObject needs s3:GetObject,
  ListObjectsV2 needs s3:ListBucket): "Amazon S3 API operations and permissions"
  in the S3 User Guide;
- presigned URLs carry the signer's permissions: "Sharing objects with presigned URLs";
- a DynamoDB transaction needs each of its writes' own action on that write's table
  (TransactWriteItems is no action of its own): "Using IAM with DynamoDB transactions"
  in the DynamoDB Developer Guide;
- passing a role to a schedule needs iam:PassRole on it: "Set up the execution role"
  in the EventBridge Scheduler User Guide;
- the managed policies' contents: "AWS managed policies for Lambda" in the Lambda
  Developer Guide.

Conditions in a statement are not judged (the one we use, iam:PassedToService, holds for
the one service we pass the role to), and there are no Deny statements to weigh.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from typing import Any, ClassVar

from bedtime_local.stack import ACCOUNT
from helpers import resolved_resources, translated_template

REGION = "us-east-1"

MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ],
    "AWSLambdaSQSQueueExecutionRole": [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ],
    "AWSLambdaDynamoDBExecutionRole": [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ],
}
NO_RESOURCE_TYPE = {
    "sns:GetSubscriptionAttributes",
    "sns:SetSubscriptionAttributes",
    "sns:Unsubscribe",
    "sns:ListSubscriptions",
    "dynamodb:ListStreams",
    "polly:SynthesizeSpeech",
}
TRANSACTION_WRITES = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
S3_PERMISSION = {
    "HeadObject": "GetObject",
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
}
ARN_FORMATS = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:{name}",
    "AWS::SQS::Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "AWS::Events::EventBus": "arn:aws:events:{region}:{account}:event-bus/{name}",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{name}",
    "AWS::Scheduler::ScheduleGroup": "{name}",
}


@dataclass(frozen=True)
class Call:
    role: str  # logical id of the IAM role that makes the call
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.role}: {self.action} on {self.resource}"


def arn_of(logical: str) -> str:
    kind = translated_template()["Resources"][logical]["Type"]
    return ARN_FORMATS[kind].format(region=REGION, account=ACCOUNT, name=logical)


@cache
def allowed(role_id: str) -> tuple[tuple[str, str], ...]:
    """(action pattern, resource pattern) pairs that the role allows."""
    role = resolved_resources()[role_id]["Properties"]
    pairs = []
    for managed in role.get("ManagedPolicyArns", []):
        pairs += [(action, "*") for action in MANAGED_POLICIES[managed.rsplit("/", 1)[1]]]
    for policy in role.get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            for action in _listed(statement["Action"]):
                pairs += [(action, _canonical(r)) for r in _listed(statement["Resource"])]
    return tuple(pairs)


def is_allowed(call: Call) -> bool:
    return any(
        fnmatchcase(call.action, action) and fnmatchcase(call.resource, resource)
        for action, resource in allowed(call.role)
    )


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _canonical(resource: str) -> str:
    """A resolved policy resource in the ARNs of logical names ("StoriesTable.Arn",
    "StoryTopic:*" and "...:StoryTopic.TopicName" all come out as ARNs)."""
    logical = set(translated_template()["Resources"])
    attribute = re.fullmatch(r"(\w+)\.(Arn|StreamArn)(/.*)?", resource)
    if attribute and attribute[1] in logical:
        suffix = "/stream/*" if attribute[2] == "StreamArn" else ""
        return arn_of(attribute[1]) + suffix + (attribute[3] or "")
    resource = re.sub(r"\b(\w+)\.(TopicName|QueueName|Name)\b", r"\1", resource)
    head = re.match(r"\w+", resource)
    if head and head[0] in logical and not resource.startswith("arn:"):
        return arn_of(head[0]) + resource[len(head[0]) :]
    return resource


@dataclass
class Recorder:
    """Hooked to botocore's before-parameter-build, which API calls and presigned URLs
    both pass through, and to light_aws's call hooks (the web function's clients);
    attributes each call to the template function whose handler
    made it (calls that the test or the local emulator make are not judged)."""

    names: dict[str, str]  # physical name -> logical id
    handlers: dict[str, str]  # handler module -> function logical id
    calls: list[Call] = field(default_factory=list)

    def __call__(self, params: dict, model: Any, **_: Any) -> None:
        service = model.service_model.metadata
        self.record(service.get("signingName", service["endpointPrefix"]), model.name, params)

    def record(self, prefix: str, operation: str, params: dict) -> None:
        """A call by its signing name and operation (light_aws's hook calls this)."""
        function = self._caller()
        if function:
            for action, resource in self._judged(prefix, operation, params):
                self.calls.append(Call(f"{function}Role", action, resource))

    def _caller(self) -> str | None:
        frame = sys._getframe(2)
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            if module.startswith("bedtime_local."):
                return None
            if frame.f_code.co_name == "handler" and module in self.handlers:
                return self.handlers[module]
            frame = frame.f_back  # type: ignore[assignment]
        return None

    def _judged(self, prefix: str, operation: str, params: dict) -> list[tuple[str, str]]:
        action = f"{prefix}:{S3_PERMISSION.get(operation, operation)}"
        if action in NO_RESOURCE_TYPE:
            return [(action, "*")]
        if action == "dynamodb:TransactWriteItems":
            return [
                (f"dynamodb:{TRANSACTION_WRITES[kind]}", self._arn(write["TableName"]))
                for item in params["TransactItems"]
                for kind, write in item.items()
            ]
        if action == "ses:SendEmail" and "Raw" in params.get("Content", {}):
            # SESv2 SendEmail with raw content is authorized as ses:SendRawEmail as well
            return [(a, r) for a in (action, "ses:SendRawEmail") for r in self._email(params)]
        if prefix not in self._RESOURCES:
            raise AssertionError(f"teach iam_audit the resource of {action}")
        return [(action, resource) for resource in self._RESOURCES[prefix](self, params)]

    def _tables(self, params: dict) -> list[str]:
        index = f"/index/{params['IndexName']}" if "IndexName" in params else ""
        return [self._arn(t) + index for t in params.get("RequestItems") or [params["TableName"]]]

    def _object(self, params: dict) -> list[str]:
        return [self._arn(params["Bucket"]) + (f"/{params['Key']}" if "Key" in params else "")]

    def _buses(self, params: dict) -> list[str]:
        return [self._arn(entry.get("EventBusName", "default")) for entry in params["Entries"]]

    def _email(self, params: dict) -> list[str]:
        """SESv2 SendEmail: the sending identity and the configuration set it names."""
        ses = f"arn:aws:ses:{REGION}:{ACCOUNT}"
        found = [f"{ses}:identity/{params['FromEmailAddress']}"]
        if "ConfigurationSetName" in params:
            logical = self.names.get(params["ConfigurationSetName"], "?")
            found.append(f"{ses}:configuration-set/{logical}")
        return found

    _RESOURCES: ClassVar[dict[str, Callable[[Recorder, dict], list[str]]]] = {
        "dynamodb": _tables,
        "s3": _object,
        "sqs": lambda self, params: [self._arn(params["QueueUrl"])],
        "sns": lambda self, params: [self._arn(params["TopicArn"])],
        "events": _buses,
        "secretsmanager": lambda self, params: [self._arn(params["SecretId"])],
        "ses": _email,
        "bedrock": lambda self, params: [
            f"arn:aws:bedrock:{REGION}::foundation-model/{params['modelIdentifier']}"
            if "modelIdentifier" in params
            else f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/"
            + params["inferenceProfileIdentifier"]
        ],
    }

    def _arn(self, physical: str) -> str:
        """The ARN, in logical names, of a name, URL or ARN that the local stack made."""
        name = re.split(r"[/:]", physical)[-1]
        return arn_of(self.names.get(physical, self.names.get(name, name)))


def recorder_for(resolver: Any) -> Recorder:
    names: dict[str, str] = {}
    for logical, physical in resolver.names.items():
        names[physical] = logical
        names[re.split(r"[/:]", physical)[-1]] = logical
    for key, arn in resolver.attributes.items():
        logical, _, attribute = key.partition(".")
        if attribute == "Arn":
            names[arn] = logical
    functions = translated_template()["Resources"].items()
    handlers = {
        spec["Properties"]["Handler"].rsplit(".", 1)[0]: name
        for name, spec in functions
        if spec["Type"] == "AWS::Lambda::Function"
    }
    return Recorder(names, handlers)
