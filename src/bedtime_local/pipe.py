"""The EventBridge Pipe, applied locally: its filter and input template come from the template.

moto creates pipes but moves no records, so the local run reads the Stories
stream itself and does here what the Pipes service does in the cloud.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# EventPattern is moto's own (internal) matcher for EventBridge patterns, used here for
# the pipe's filter so that it matches as EventBridge does. It is not public API: when
# moto is upgraded, run tests/test_local_wiring.py::test_moto_event_patterns_still_match
# _as_eventbridge_does, which fails loudly if the class moves or matches differently.
from moto.events.models import EventPattern

from bedtime_local.template import Resolver, resources

_PLACEHOLDER = re.compile(r"<(\$[^<>]*|aws\.pipes\.[a-z.-]+)>")
_STEP = re.compile(r"\.([A-Za-z0-9_-]+)|\[(\d+|\*)\]")


@dataclass(frozen=True)
class LocalPipe:
    name: str
    patterns: tuple[EventPattern, ...]
    input_template: str | None
    source: str
    detail_type: str
    target: str

    @classmethod
    def from_template(cls, template: dict, resolver: Resolver, name: str) -> LocalPipe:
        spec = resources(template, "AWS::Pipes::Pipe")[name]
        filters = spec.get("SourceParameters", {}).get("FilterCriteria", {}).get("Filters", [])
        target = spec.get("TargetParameters", {})
        bus = target.get("EventBridgeEventBusParameters", {})
        return cls(
            name=name,
            patterns=tuple(EventPattern.load(resolver.resolve(f["Pattern"])) for f in filters),
            input_template=resolver.resolve(target.get("InputTemplate")),
            source=bus.get("Source", "Pipe " + name),
            detail_type=bus.get("DetailType", "Event from aws:dynamodb"),
            target=resolver.resolve(spec["Target"]),
        )

    def admits(self, record: dict) -> bool:
        """Pipes forward a record that matches any filter (or all, with no filters)."""
        return not self.patterns or any(p.matches_event(record) for p in self.patterns)

    def transform(self, record: dict) -> Any:
        if self.input_template is None:
            return record
        return json.loads(render_input_template(self.input_template, record, self.name))


def render_input_template(template: str, record: dict, pipe_name: str = "local") -> str:
    """Fill `<$.path>` placeholders as Pipes does: inside quotes as string content,
    elsewhere as JSON values."""
    reserved = {
        "aws.pipes.pipe-name": pipe_name,
        "aws.pipes.event.ingestion-time": datetime.now(UTC).isoformat(),
        "aws.pipes.event": json.dumps(record),
    }

    def fill(match: re.Match) -> str:
        expression = match.group(1)
        value = reserved[expression] if expression in reserved else select_path(record, expression)
        quoted = match.string[: match.start()].count('"') % 2 == 1
        if quoted:
            text = value if isinstance(value, str) else json.dumps(value)
            return json.dumps(text)[1:-1]
        return json.dumps(value)

    return _PLACEHOLDER.sub(fill, template)


def select_path(record: Any, path: str) -> Any:
    values = [record]
    for key, index in _STEP.findall(path[1:]):
        found = []
        for value in values:
            if key and isinstance(value, dict) and key in value:
                found.append(value[key])
            elif index == "*" and isinstance(value, list):
                found.extend(value)
            elif index and index != "*" and isinstance(value, list) and int(index) < len(value):
                found.append(value[int(index)])
        values = found
    if "*" in path:
        return values
    return values[0] if values else None
