"""Families: whom the stories are for, when their bedtime is, how they like them, and
the Families table that keeps them (key: id; the reader secret lives in the same item)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from bedtime.core.settings import Settings
from bedtime.core.zones import zone_named
from bedtime.records.stories import HOME

UNSUBSCRIBED = "unsubscribed"  # string sets on the family's item
SUPPRESSED = "suppressed"
BY_BEDTIME = "ByBedtime"  # the Families table's index by (time zone, bedtime)
CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")  # template.yaml's StoryTime
FAMILY_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")


class FamilyNotFound(LookupError):
    """No family has this id (it was never added, or it was removed)."""


@dataclass(frozen=True)
class Family:
    id: str
    time_zone: ZoneInfo
    name: str = ""
    bedtime: time = time(19, 15)
    language: str = "en"
    listener_age: int = 5
    story_minutes: float = 6.0
    series_hero: str = ""
    emails: tuple[str, ...] = field(default=())
    # Lowercased addresses that get no email: unsubscribed by their own link, or
    # suppressed after a bounce or a complaint. Kept by save(), which never writes them.
    unsubscribed: frozenset[str] = frozenset()
    suppressed: frozenset[str] = frozenset()
    recording: bool = True  # whoever holds the family's link may record a story's reading

    @classmethod
    def home(cls, settings: Settings) -> Family:
        """The one family of a deployment configured by its template parameters."""
        return cls(
            id=HOME,
            name="Home",
            time_zone=settings.time_zone,
            bedtime=settings.story_time,
            language=settings.story_language,
            listener_age=settings.listener_age,
            story_minutes=settings.story_minutes,
            series_hero=settings.series_hero,
            emails=(settings.notification_email,) if settings.notification_email else (),
        )


class NotATime(ValueError):
    pass


def clock_time(text: object, label: str) -> time:
    """A time of day written as "HH:MM" (24-hour), as the template's StoryTime pattern
    allows: ISO 8601 alone would read "19.15" as 19:00 and a fraction of a second."""
    if not isinstance(text, str) or not CLOCK_TIME.fullmatch(text):
        raise NotATime(f'{label} {text!r} is not a time such as "19:15"')
    return time.fromisoformat(text)


def home_from_parameters(parameters: Mapping[str, str]) -> Family:
    """The home family as a stack's (or the local run's) template parameters set it up."""
    zone = parameters.get("StoryTimeZone", "UTC")
    email = parameters.get("NotificationEmail", "")
    return Family(
        id=HOME,
        name="Home",
        time_zone=zone_named(zone, f"StoryTimeZone {zone!r}"),
        bedtime=clock_time(parameters.get("StoryTime", "19:15"), "StoryTime"),
        language=parameters.get("StoryLanguage", "en"),
        listener_age=int(float(parameters.get("ListenerAge", "5"))),
        story_minutes=float(parameters.get("StoryMinutes", "6")),
        series_hero=parameters.get("SeriesHero", ""),
        emails=(email,) if email else (),
    )


class FamilyStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def save(self, family: Family) -> None:
        """Add or change a family; its reader secret, if it has one, is kept."""
        values = _attributes(family)
        names = {f"#{key}": key for key in values}
        self._dynamodb.update_item(
            TableName=self._table,
            Key={"id": {"S": family.id}},
            UpdateExpression="SET " + ", ".join(f"#{key} = :{key}" for key in values),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{key}": value for key, value in values.items()},
        )

    def get(self, family_id: str) -> Family:
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"id": {"S": family_id}}, ConsistentRead=True
        ).get("Item")
        if not item or not is_family(item):
            raise FamilyNotFound(family_id)
        return family_from(item)

    def find(self, family_id: str) -> Family | None:
        try:
            return self.get(family_id)
        except FamilyNotFound:
            return None

    def name_of(self, family_id: str) -> str:
        """What a person calls the family (its "name"), or its id when it has gone."""
        try:
            return self.get(family_id).name
        except FamilyNotFound:
            return family_id

    def allows_recording(self, family_id: str) -> bool:
        """Whether the family lets its stories be recorded (a family not in the table, a
        one-family deployment's home, keeps the default: yes)."""
        try:
            return self.get(family_id).recording
        except FamilyNotFound:
            return True

    def all(self) -> list[Family]:
        found = []
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table):
            found += [family_from(item) for item in page["Items"] if is_family(item)]
        return sorted(found, key=lambda family: family.id)

    def with_bedtime_between(self, zone: ZoneInfo, earliest: time, latest: time) -> list[Family]:
        """The families of a time zone whose bedtime, on their own clock, is between two
        times (inclusive): one Query of the ByBedtime index, which holds each family's id,
        time zone and bedtime (all the tick needs)."""
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=BY_BEDTIME,
            KeyConditionExpression="time_zone = :zone AND bedtime BETWEEN :earliest AND :latest",
            ExpressionAttributeValues={
                ":zone": {"S": zone.key},
                ":earliest": {"S": earliest.strftime("%H:%M")},
                ":latest": {"S": latest.strftime("%H:%M")},
            },
        )
        return [family_from(item) for page in pages for item in page["Items"]]

    def stop_emailing(self, family_id: str, address: str, reason: str = UNSUBSCRIBED) -> bool:
        """Add the address to the family's unsubscribed (or suppressed) set; False when
        there is no such family (an item is never made for one)."""
        return self._change_set(family_id, "ADD", reason, address)

    def email_again(self, family_id: str, address: str) -> bool:
        """Take the address out of the family's unsubscribed set (its own undo)."""
        return self._change_set(family_id, "DELETE", UNSUBSCRIBED, address)

    def _change_set(self, family_id: str, verb: str, name: str, address: str) -> bool:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": family_id}},
                UpdateExpression=f"{verb} #set :address",
                ConditionExpression="attribute_exists(time_zone)",
                ExpressionAttributeNames={"#set": name},
                ExpressionAttributeValues={":address": {"SS": [address.strip().lower()]}},
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def remove(self, family_id: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key={"id": {"S": family_id}})


def _attributes(family: Family) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        "name": {"S": family.name or family.id},
        "time_zone": {"S": family.time_zone.key},
        "bedtime": {"S": family.bedtime.strftime("%H:%M")},
        "language": {"S": family.language},
        "listener_age": {"N": str(family.listener_age)},
        "story_minutes": {"N": f"{family.story_minutes:g}"},
        "series_hero": {"S": family.series_hero},
        "emails": {"L": [{"S": email} for email in family.emails]},
        "recording": {"BOOL": family.recording},
    }
    return values


def is_family(item: dict[str, Any]) -> bool:
    """Whether a Families table item is a family (not only a reader secret or a
    remembered address, which are made before it or kept beside it)."""
    return "time_zone" in item


def family_from(item: dict[str, Any]) -> Family:
    """A family from its table item (or a stream record's image of one)."""
    hours, minutes = item["bedtime"]["S"].split(":")
    return Family(
        id=item["id"]["S"],
        name=item.get("name", {}).get("S", ""),
        time_zone=ZoneInfo(item["time_zone"]["S"]),
        bedtime=time(int(hours), int(minutes)),
        language=item.get("language", {}).get("S", "en"),
        listener_age=int(item.get("listener_age", {}).get("N", "5")),
        story_minutes=float(item.get("story_minutes", {}).get("N", "6")),
        series_hero=item.get("series_hero", {}).get("S", ""),
        emails=tuple(value["S"] for value in item.get("emails", {}).get("L", [])),
        unsubscribed=frozenset(item.get(UNSUBSCRIBED, {}).get("SS", ())),
        suppressed=frozenset(item.get(SUPPRESSED, {}).get("SS", ())),
        recording=item.get("recording", {}).get("BOOL", True),
    )
