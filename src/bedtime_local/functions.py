"""The template's functions, invoked in this process as Lambda invokes them."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bedtime_local.template import Resolver, TemplateError, resources


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that our code and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    aws_request_id: str = ""
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"
    function_version: str = "$LATEST"

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        )

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


@dataclass(frozen=True)
class LocalFunction:
    name: str
    handler_path: str
    memory: int
    timeout: int

    def handler(self) -> Callable[[Any, Any], Any]:
        module, _, attribute = self.handler_path.rpartition(".")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, event: Any) -> Any:
        context = LambdaContext(self.name, self.memory, self.timeout)
        return self.handler()(event, context)


def functions(template: dict) -> dict[str, LocalFunction]:
    globals_ = template.get("Globals", {}).get("Function", {})
    return {
        name: LocalFunction(
            name=name,
            handler_path=spec["Handler"],
            memory=int(spec.get("MemorySize", globals_.get("MemorySize", 128))),
            timeout=int(spec.get("Timeout", globals_.get("Timeout", 3))),
        )
        for name, spec in resources(template, "AWS::Serverless::Function").items()
    }


def environment(template: dict, resolver: Resolver) -> dict[str, str]:
    """Globals plus every function's own variables; one process, so they must agree."""
    merged = dict(
        template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    )
    for name, spec in resources(template, "AWS::Serverless::Function").items():
        for key, value in spec.get("Environment", {}).get("Variables", {}).items():
            if key in merged and merged[key] != value:
                raise TemplateError(f"{name} sets {key} differently from Globals")
            merged[key] = value
    return {key: str(value) for key, value in resolver.resolve(merged).items()}


@dataclass(frozen=True)
class QueueSource:
    """An SQS event source mapping: the queue, its batch and its concurrency cap."""

    function: str
    queue: str  # the queue's logical id
    batch_size: int
    max_concurrency: int


@dataclass(frozen=True)
class StreamSource:
    """A DynamoDB stream event source mapping."""

    function: str
    table: str  # the table's logical id
    batch_size: int


def queue_sources(template: dict, resolver: Resolver) -> list[QueueSource]:
    found = []
    for name, event in _events(template, "SQS"):
        properties = event["Properties"]
        scaling = resolver.resolve(properties.get("ScalingConfig", {}))
        found.append(
            QueueSource(
                name,
                properties["Queue"]["Fn::GetAtt"][0],
                int(properties.get("BatchSize", 10)),
                int(scaling.get("MaximumConcurrency", 1000)),
            )
        )
    return found


def stream_sources(template: dict) -> list[StreamSource]:
    return [
        StreamSource(
            name,
            event["Properties"]["Stream"]["Fn::GetAtt"][0],
            int(event["Properties"].get("BatchSize", 100)),
        )
        for name, event in _events(template, "DynamoDB")
    ]


def _events(template: dict, kind: str) -> list[tuple[str, dict]]:
    return [
        (name, event)
        for name, spec in resources(template, "AWS::Serverless::Function").items()
        for event in spec.get("Events", {}).values()
        if event["Type"] == kind
    ]
