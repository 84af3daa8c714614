"""The catalog file: one family's characters and scenes (the family `home`, set up by
the deployment's parameters), or a `families` list, each family with its own. The whole
file is checked before anything is written, and every problem names where it is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bedtime.core.addresses import is_email_address
from bedtime.core.zones import UnknownZone, zone_named
from bedtime.records.catalog import (
    MAX_NAME_LENGTH,
    Catalog,
    CatalogError,
    clean_text,
    parse_catalog,
    read_catalog_file,
)
from bedtime.records.families import FAMILY_ID, Family, NotATime, clock_time

LANGUAGES = ("en", "es", "fr", "de", "it")
MAX_EMAILS = 10


@dataclass(frozen=True)
class FamilyCatalog:
    family: Family
    catalog: Catalog

    @property
    def summary(self) -> str:
        """As `make family` and `make run` print it: "nan (2 characters, 1 scene)"."""
        characters, scenes = len(self.catalog.characters), len(self.catalog.scenes)
        return (
            f"{self.family.id} ({characters} character{'s' * (characters != 1)},"
            f" {scenes} scene{'s' * (scenes != 1)})"
        )


CATALOG_FIELDS = frozenset({"characters", "scenes"})
FAMILY_FIELDS = CATALOG_FIELDS | {
    "id",
    "name",
    "timeZone",
    "bedtime",
    "language",
    "listenerAge",
    "storyMinutes",
    "seriesHero",
    "emails",
    "recording",
}
ONE_FAMILY = (
    'write {"id": "rosie", "characters": [...], "scenes": [...], ...} for one family, '
    '{"families": [{"id": "rosie", ...}, ...]} for several, or only "characters" and '
    '"scenes" for the family home'
)


def parse_families(data: Any, home: Family, bare_is_home: bool = True) -> tuple[FamilyCatalog, ...]:
    """A `families` list; one family object (it has an "id"); or a bare catalog, which is
    the family `home` (unless not `bare_is_home`: a file that must name its family).
    Anything in between is refused, with what to write instead."""
    if not isinstance(data, dict):
        raise CatalogError('the catalog must be a JSON object with "characters" and "scenes"')
    if "families" in data:
        if set(data) != {"families"}:
            raise CatalogError(f'a file with "families" holds nothing else; {ONE_FAMILY}')
        return _family_list(data["families"], home)
    if "id" in data:
        return (_family_catalog(data, "the family", home),)
    settings = sorted(set(data) - CATALOG_FIELDS)
    if settings:
        raise CatalogError(
            f'{", ".join(settings)} without an "id": is this one family? {ONE_FAMILY}'
        )
    if not bare_is_home:
        raise CatalogError(
            f'the file names no family; add its "id" ("id": "{home.id}" for '
            f"the family {home.id}): {ONE_FAMILY}"
        )
    return (FamilyCatalog(home, parse_catalog(data)),)


def _family_list(items: Any, home: Family) -> tuple[FamilyCatalog, ...]:
    if not isinstance(items, list) or not items:
        raise CatalogError('"families" must be a list of at least one family')
    found = tuple(_family_catalog(item, _where(i, item), home) for i, item in enumerate(items))
    ids = [entry.family.id for entry in found]
    twice = sorted({family for family in ids if ids.count(family) > 1})
    if twice:
        raise CatalogError(f'families: the id "{twice[0]}" appears twice')
    return found


def _where(index: int, item: Any) -> str:
    """A family in the list as a parent would find it: by its id, or its place."""
    family_id = item.get("id") if isinstance(item, dict) else None
    place = f"families[{index}], the family number {index + 1}"
    return f'{place} ("{family_id}")' if isinstance(family_id, str) and family_id else place


def load_families(path: Path, home: Family, bare_is_home: bool = True) -> tuple[FamilyCatalog, ...]:
    data = read_catalog_file(path)
    try:
        return parse_families(data, home, bare_is_home)
    except CatalogError as error:
        raise CatalogError(f"{path}: {error}") from error


def _family_catalog(item: Any, where: str, home: Family) -> FamilyCatalog:
    if not isinstance(item, dict):
        raise CatalogError(f"{where} must be an object")
    try:
        return FamilyCatalog(_family(item, home), parse_catalog(item))
    except CatalogError as error:
        raise CatalogError(f"{where}: {error}") from error


def _family(item: dict, home: Family) -> Family:
    unknown = sorted(set(item) - FAMILY_FIELDS)
    if unknown:
        raise CatalogError(
            f'"{unknown[0]}" is not a family\'s field; they are {", ".join(sorted(FAMILY_FIELDS))}'
        )
    family_id = item.get("id")
    if not isinstance(family_id, str) or not FAMILY_ID.fullmatch(family_id):
        raise CatalogError('"id" must be 1 to 40 lowercase letters, digits or dashes')
    return replace(
        home,
        id=family_id,
        name=_text(item, "name", family_id),
        time_zone=_zone(item.get("timeZone", home.time_zone.key)),
        bedtime=_bedtime(item.get("bedtime", home.bedtime.strftime("%H:%M"))),
        language=_choice(item, "language", LANGUAGES, home.language),
        listener_age=int(_number(item, "listenerAge", home.listener_age, 3, 8)),
        story_minutes=_number(item, "storyMinutes", home.story_minutes, 2, 15),
        series_hero=_text(item, "seriesHero", ""),
        emails=_emails(item.get("emails", [])),
        recording=_switch(item, "recording", home.recording),
    )


def _text(item: dict, field: str, default: str) -> str:
    value = item.get(field, default)
    if not isinstance(value, str):
        raise CatalogError(f'"{field}" must be text of at most {MAX_NAME_LENGTH} characters')
    return clean_text(value, f'"{field}"', MAX_NAME_LENGTH)


def _zone(name: Any) -> ZoneInfo:
    try:
        return zone_named(name, f'"timeZone" {name!r}')
    except UnknownZone as error:
        raise CatalogError(str(error)) from None


def _bedtime(text: Any) -> time:
    try:
        return clock_time(text, '"bedtime"')
    except NotATime as error:
        raise CatalogError(str(error)) from None


def _choice(item: dict, field: str, allowed: tuple[str, ...], default: str) -> str:
    value = item.get(field, default)
    if value not in allowed:
        raise CatalogError(f'"{field}" {value!r} is not one of {", ".join(allowed)}')
    return str(value)


def _number(item: dict, field: str, default: float, low: float, high: float) -> float:
    value = item.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise CatalogError(f'"{field}" must be a number from {low:g} to {high:g}')
    return float(value)


def _switch(item: dict, field: str, default: bool) -> bool:
    value = item.get(field, default)
    if not isinstance(value, bool):
        raise CatalogError(f'"{field}" must be true or false')
    return value


def _emails(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_EMAILS:
        raise CatalogError(f'"emails" must be a list of at most {MAX_EMAILS} addresses')
    for email in value:
        if not is_email_address(email):
            raise CatalogError(
                f'"emails": {email!r} is not an email address (one address, like'
                " name@example.com, of at most 254 characters)"
            )
    return tuple(value)
