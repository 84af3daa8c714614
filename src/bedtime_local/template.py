"""Read template.yaml (CloudFormation short-form tags included) and resolve intrinsics."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class _Loader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref x` into {"Ref": "x"}, `!Sub s` into {"Fn::Sub": s}, …"""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict:
    return yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506  # nosec B506 - a SafeLoader subclass


class TemplateError(ValueError):
    """Something in template.yaml the local run cannot follow."""


@dataclass
class Resolver:
    """Resolves Ref, GetAtt, Sub, Select, Split, Join and If against local values."""

    parameters: Mapping[str, str]
    names: dict[str, str] = field(default_factory=dict)  # Ref of a resource
    attributes: dict[str, str] = field(default_factory=dict)  # "Logical.Attribute"
    conditions: dict[str, bool] = field(default_factory=dict)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):  # Ref AWS::NoValue removes the item
            return [item for item in map(self.resolve, value) if item is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = getattr(self, "_" + key.replace("Fn::", "").lower(), None)
            if handler is not None and (key in ("Ref", "Condition") or key.startswith("Fn::")):
                return handler(argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not None}

    def _ref(self, name: str) -> str | None:
        for source in (self.parameters, self.names, _PSEUDO):
            if name in source:
                return source[name]
        raise TemplateError(f"the local run has no value for Ref {name}")

    def _getatt(self, argument: list[str]) -> str:
        key = ".".join(argument)
        if key not in self.attributes:
            raise TemplateError(f"the local run has no value for GetAtt {key}")
        return self.attributes[key]

    def _sub(self, argument: str | list) -> str:
        text, extra = (argument, {}) if isinstance(argument, str) else argument
        local = {name: self.resolve(v) for name, v in extra.items()}

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name in local:
                return str(local[name])
            return self._getatt(name.split(".", 1)) if "." in name else str(self._ref(name))

        return re.sub(r"\$\{([^!}][^}]*)\}", value, text)

    def _select(self, argument: list) -> Any:
        index, items = argument
        return self.resolve(items)[int(index)]

    def _split(self, argument: list) -> list[str]:
        delimiter, text = argument
        return str(self.resolve(text)).split(delimiter)

    def _join(self, argument: list) -> str:
        delimiter, items = argument
        return delimiter.join(str(item) for item in self.resolve(items))

    def _if(self, argument: list) -> Any:
        condition, when_true, when_false = argument
        return self.resolve(when_true if self.conditions[condition] else when_false)

    def _equals(self, argument: list) -> bool:
        first, second = self.resolve(argument)
        return first == second

    def _not(self, argument: list) -> bool:
        return not self.resolve(argument[0])

    def _and(self, argument: list) -> bool:
        return all(self.resolve(argument))

    def _or(self, argument: list) -> bool:
        return any(self.resolve(argument))

    def _condition(self, name: str) -> bool:
        return self.conditions[name]


def template_resolver(template: dict, overrides: Mapping[str, str]) -> Resolver:
    """A Resolver with the template's parameters (defaults, then overrides) and conditions."""
    resolver = Resolver(parameter_values(template, overrides))
    for name, condition in template.get("Conditions", {}).items():
        resolver.conditions[name] = bool(resolver.resolve(condition))
    return resolver


_PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "bedtime-stories",
    "AWS::Partition": "aws",
    "AWS::NoValue": None,
}


def parameter_values(template: dict, overrides: Mapping[str, str]) -> dict[str, str]:
    values = {}
    for name, spec in template.get("Parameters", {}).items():
        values[name] = str(overrides.get(name, spec.get("Default", "")))
        allowed = spec.get("AllowedValues")
        if allowed and values[name] not in [str(a) for a in allowed]:
            raise TemplateError(f"{name}={values[name]!r} is not one of {allowed}")
    return values


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {
        name: resource.get("Properties", {})
        for name, resource in template["Resources"].items()
        if resource["Type"] == kind
    }
