"""A family's characters and scenes: load, validate, pick and store."""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CATALOG = Path(__file__).with_name("catalog.json")
MAX_NAME_LENGTH = 60
MAX_DESCRIPTION_LENGTH = 400


class CatalogError(ValueError):
    """A catalog that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Entry:
    name: str
    description: str
    look: str = ""  # how a character is painted, the same every night (written once)


@dataclass(frozen=True)
class Catalog:
    characters: tuple[Entry, ...]
    scenes: tuple[Entry, ...]

    def pick(
        self,
        rng: random.Random,
        weights: Mapping[str, float] | None = None,
        hero: str | None = None,
    ) -> tuple[tuple[Entry, Entry], Entry]:
        """Two characters and a scene, each chosen in proportion to its weight (1 when
        unweighted). A series hero, when it names a character, is always the first."""
        weights = weights or {}
        heroes = [c for c in self.characters if hero and c.name.casefold() == hero.casefold()]
        first = heroes[0] if heroes else _choose(rng, self.characters, weights)
        second = _choose(rng, [c for c in self.characters if c != first], weights)
        return (first, second), _choose(rng, self.scenes, weights)


def _choose(rng: random.Random, entries: Sequence[Entry], weights: Mapping[str, float]) -> Entry:
    return rng.choices(list(entries), [weights.get(e.name, 1.0) for e in entries])[0]


def parse_catalog(data: Any) -> Catalog:
    if not isinstance(data, dict):
        raise CatalogError('the catalog must be a JSON object with "characters" and "scenes"')
    return Catalog(
        characters=_entries(data, "characters", minimum=2),
        scenes=_entries(data, "scenes", minimum=1),
    )


def read_catalog_file(path: Path) -> Any:
    """The file's JSON, or a CatalogError that says what is wrong with the file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as error:
        raise CatalogError(f"{path}: no such file") from error
    except UnicodeDecodeError as error:
        raise CatalogError(
            f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from error
    if text.startswith("\ufeff"):
        raise CatalogError(
            f"{path}: starts with a byte order mark (BOM); save it as UTF-8 without BOM"
        )
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise CatalogError(f"{path}: not valid JSON: {error}") from error
    except RecursionError as error:
        raise CatalogError(f"{path}: nested too deeply to be a catalog") from error
    except CatalogError as error:
        raise CatalogError(f"{path}: {error}") from error


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when it names a key twice (JSON would keep the last)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise CatalogError(f'the key "{key}" appears twice in one object; keep one')
        found[key] = value
    return found


def load_catalog(path: Path = DEFAULT_CATALOG) -> Catalog:
    data = read_catalog_file(path)
    try:
        return parse_catalog(data)
    except CatalogError as error:
        raise CatalogError(f"{path}: {error}") from error


def _entries(data: dict, kind: str, minimum: int) -> tuple[Entry, ...]:
    items = data.get(kind)
    if not isinstance(items, list) or len(items) < minimum:
        raise CatalogError(f'"{kind}" must be a list of at least {minimum} entries')
    entries = tuple(_entry(item, f"{kind}[{index}]") for index, item in enumerate(items))
    seen: set[str] = set()
    for entry in entries:
        folded = entry.name.casefold()
        if folded in seen:
            raise CatalogError(f'{kind}: the name "{entry.name}" appears twice')
        seen.add(folded)
    return entries


def _entry(item: Any, where: str) -> Entry:
    if not isinstance(item, dict):
        raise CatalogError(f'{where} must be an object with "name" and "description"')
    name = _text(item, "name", where, MAX_NAME_LENGTH)
    description = _text(item, "description", where, MAX_DESCRIPTION_LENGTH)
    look = _text(item, "look", where, MAX_DESCRIPTION_LENGTH) if item.get("look") else ""
    return Entry(name=name, description=description, look=look)


def _text(item: dict, field: str, where: str, limit: int) -> str:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f'{where} needs a non-empty "{field}"')
    return clean_text(value, f'{where}: "{field}"', limit)


def clean_text(value: str, what: str, limit: int) -> str:
    """The text with its runs of spaces made one, once it holds nothing unprintable and
    fits within `limit` characters; `what` names it in the error."""
    value = " ".join(value.split())
    bad = next((c for c in value if _unprintable(c)), None)
    if bad is not None:
        raise CatalogError(
            f"{what} holds the control or non-character U+{ord(bad):04X}; "
            "remove it (it would break the podcast feed)"
        )
    if len(value) > limit:
        raise CatalogError(f"{what} is {len(value)} characters; keep it under {limit}")
    return value


def _unprintable(character: str) -> bool:
    """Control characters (Cc), lone surrogates (Cs) and Unicode noncharacters."""
    code = ord(character)
    return (
        unicodedata.category(character) in ("Cc", "Cs")
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


class CatalogStore:
    """The Characters and Scenes tables: each family's own (key: family, name)."""

    def __init__(self, dynamodb: Any, characters_table: str, scenes_table: str) -> None:
        self._dynamodb = dynamodb
        self._tables = {"characters": characters_table, "scenes": scenes_table}

    def load(self, family: str) -> Catalog:
        return parse_catalog(
            {kind: self._rows(table, family) for kind, table in self._tables.items()}
        )

    def replace(self, family: str, catalog: Catalog) -> None:
        """Make the family's rows hold exactly this (already validated) catalog. A
        character whose description is unchanged keeps the look a model wrote for it."""
        for kind, entries in (("characters", catalog.characters), ("scenes", catalog.scenes)):
            table = self._tables[kind]
            stored = {row["name"]: row for row in self._rows(table, family)}
            wanted = [_keeping_look(entry, stored.get(entry.name)) for entry in entries]
            stale = set(stored) - {entry.name for entry in entries}
            requests = [_put(family, e) for e in wanted] + [_delete(family, n) for n in stale]
            self._write(table, requests)

    def remove(self, family: str) -> None:
        for table in self._tables.values():
            self._write(table, [_delete(family, row["name"]) for row in self._rows(table, family)])

    def set_look(self, family: str, name: str, look: str) -> None:
        """Keep how a character is painted, for every night to come."""
        self._dynamodb.update_item(
            TableName=self._tables["characters"],
            Key={"family": {"S": family}, "name": {"S": name}},
            UpdateExpression="SET look = :look",
            ConditionExpression="attribute_exists(#name)",
            ExpressionAttributeNames={"#name": "name"},
            ExpressionAttributeValues={":look": {"S": look}},
        )

    def _rows(self, table: str, family: str) -> list[dict[str, str]]:
        rows = []
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="#family = :family",
            ExpressionAttributeNames={"#family": "family"},  # a reserved word in DynamoDB
            ExpressionAttributeValues={":family": {"S": family}},
        )
        for page in pages:
            rows += [{k: v["S"] for k, v in item.items()} for item in page["Items"]]
        return rows

    def _write(self, table: str, requests: Sequence[dict]) -> None:
        for start in range(0, len(requests), 25):
            pending = {table: list(requests[start : start + 25])}
            while pending:
                response = self._dynamodb.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}


def _keeping_look(entry: Entry, stored: dict[str, str] | None) -> Entry:
    if entry.look or not stored or stored.get("description") != entry.description:
        return entry
    return Entry(entry.name, entry.description, stored.get("look", ""))


def _put(family: str, entry: Entry) -> dict:
    item = {
        "family": {"S": family},
        "name": {"S": entry.name},
        "description": {"S": entry.description},
    }
    if entry.look:
        item["look"] = {"S": entry.look}
    return {"PutRequest": {"Item": item}}


def _delete(family: str, name: str) -> dict:
    return {"DeleteRequest": {"Key": {"family": {"S": family}, "name": {"S": name}}}}
