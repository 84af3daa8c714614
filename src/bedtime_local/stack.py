"""Create the template's tables, bucket, topics, queues, bus and rules in
the local endpoint, and give every other resource the names and ARNs it would have."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from bedtime_local.template import Resolver, resources

EVENTBRIDGE_TARGETS = ("EventBridgeRule",)


@dataclass(frozen=True)
class Rule:
    """One rule → target, delivered locally through an SQS queue that moto routes to
    (`queue_url` is set once the queue exists)."""

    name: str
    bus: str
    pattern: dict
    target: str  # a function's, a queue's or a topic's logical id
    input_transformer: dict | None = None
    queue_url: str = ""  # where the local run reads what the rule delivers ("" for a queue)


@dataclass
class LocalStack:
    resolver: Resolver
    rules: list[Rule] = field(default_factory=list)
    streams: dict[str, str] = field(default_factory=dict)  # table logical id -> stream ARN

    @property
    def stream_arn(self) -> str:
        """The Stories table's stream, which the pipe reads."""
        return self.streams["StoriesTable"]


def create_stack(template: dict, resolver: Resolver, aws: Any) -> LocalStack:
    """`aws(service)` gives a client for the local endpoint."""
    stack = LocalStack(resolver)
    _tables(template, resolver, aws("dynamodb"), stack)
    for name in resources(template, "AWS::S3::Bucket"):
        bucket = f"bedtime-{name.lower()}"
        aws("s3").create_bucket(Bucket=bucket)
        resolver.names[name] = bucket
        resolver.attributes[f"{name}.Arn"] = f"arn:aws:s3:::{bucket}"
    for name in resources(template, "AWS::SNS::Topic"):
        arn = aws("sns").create_topic(Name=name)["TopicArn"]
        resolver.names[name] = arn
        resolver.attributes[f"{name}.TopicName"] = name
    for name, spec in resources(template, "AWS::Events::EventBus").items():
        bus = resolver.resolve(spec["Name"])
        arn = aws("events").create_event_bus(Name=bus)["EventBusArn"]
        resolver.names[name] = bus
        resolver.attributes[f"{name}.Arn"] = arn
    _queues(template, aws("sqs"), resolver)
    for name in resources(template, "AWS::SecretsManager::Secret"):
        resolver.names[name] = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}"
    for name in resources(template, "AWS::IAM::Role"):
        resolver.attributes[f"{name}.Arn"] = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    for name in resources(template, "AWS::Serverless::Function"):
        resolver.names[name] = name
        resolver.attributes[f"{name}.Arn"] = function_arn(name)
    _rules(template, resolver, aws, stack)
    return stack


ACCOUNT = "123456789012"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def _tables(template: dict, resolver: Resolver, dynamodb: Any, stack: LocalStack) -> None:
    for name, spec in resources(template, "AWS::DynamoDB::Table").items():
        arguments = {
            "TableName": name,
            "AttributeDefinitions": spec["AttributeDefinitions"],
            "KeySchema": spec["KeySchema"],
            "BillingMode": spec.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in spec:
            arguments["GlobalSecondaryIndexes"] = spec["GlobalSecondaryIndexes"]
        if "StreamSpecification" in spec:
            arguments["StreamSpecification"] = {
                "StreamEnabled": True,
                **spec["StreamSpecification"],
            }
        table = dynamodb.create_table(**arguments)["TableDescription"]
        ttl = spec.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        resolver.names[name] = name
        resolver.attributes[f"{name}.Arn"] = table["TableArn"]
        if "LatestStreamArn" in table:
            resolver.attributes[f"{name}.StreamArn"] = table["LatestStreamArn"]
            stack.streams[name] = table["LatestStreamArn"]


def _queues(template: dict, sqs: Any, resolver: Resolver) -> None:
    for name in resources(template, "AWS::SQS::Queue"):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        resolver.names[name] = url
        resolver.attributes[f"{name}.Arn"] = arn["Attributes"]["QueueArn"]
        resolver.attributes[f"{name}.QueueName"] = name


def declared_rules(template: dict, resolver: Resolver) -> list[Rule]:
    """Every rule: SAM EventBridgeRule events on functions and AWS::Events::Rule targets."""
    found = []
    for function, spec in resources(template, "AWS::Serverless::Function").items():
        for event_name, event in spec.get("Events", {}).items():
            if event["Type"] in EVENTBRIDGE_TARGETS:
                properties = resolver.resolve(
                    {
                        k: v
                        for k, v in event["Properties"].items()
                        if k in ("EventBusName", "Pattern")
                    }
                )
                bus = properties.get("EventBusName", "default")
                found.append(Rule(function + event_name, bus, properties["Pattern"], function))
    for rule, spec in resources(template, "AWS::Events::Rule").items():
        properties = resolver.resolve({k: v for k, v in spec.items() if k != "Targets"})
        for target in spec.get("Targets", []):
            arn = target["Arn"]
            logical = arn.get("Ref") or arn.get("Fn::GetAtt", [None])[0]
            found.append(
                Rule(
                    rule + target["Id"],
                    properties.get("EventBusName", "default"),
                    properties["EventPattern"],
                    logical,
                    resolver.resolve(target.get("InputTransformer")),
                )
            )
    return found


def _rules(template: dict, resolver: Resolver, aws: Any, stack: LocalStack) -> None:
    """A rule whose target is one of the template's queues delivers to it, as in the cloud;
    any other target gets a queue of its own, which the local run reads and invokes."""
    sqs, events = aws("sqs"), aws("events")
    queues = resources(template, "AWS::SQS::Queue")
    for spec in declared_rules(template, resolver):
        if spec.target in queues:
            queue_url, queue_arn = "", resolver.attributes[f"{spec.target}.Arn"]
        else:
            queue_url = sqs.create_queue(QueueName=spec.name)["QueueUrl"]
            attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
            queue_arn = attributes["Attributes"]["QueueArn"]
        events.put_rule(
            Name=spec.name, EventBusName=spec.bus, EventPattern=json.dumps(spec.pattern)
        )
        events.put_targets(
            Rule=spec.name, EventBusName=spec.bus, Targets=[{"Id": "queue", "Arn": queue_arn}]
        )
        stack.rules.append(replace(spec, queue_url=queue_url))
