"""Plain Python values to DynamoDB attribute values and back, as boto3's TypeSerializer
and TypeDeserializer do (numbers come back as Decimal), without importing boto3: the
web function reads stories and must not load botocore to do it.

The data types are those of the DynamoDB developer guide, "Supported data types and
naming rules in Amazon DynamoDB"."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def to_attribute(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Mapping):
        return {"M": {key: to_attribute(item) for key, item in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(item) for item in value]}
    raise TypeError(f"no DynamoDB type for {type(value).__name__}")


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    ((kind, value),) = attribute.items()
    match kind:
        case "S" | "BOOL":
            return value
        case "N":
            return Decimal(value)
        case "NULL":
            return None
        case "L":
            return [from_attribute(item) for item in value]
        case "M":
            return {key: from_attribute(item) for key, item in value.items()}
    raise TypeError(f"unexpected DynamoDB type {kind}")
