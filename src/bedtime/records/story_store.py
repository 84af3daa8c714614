"""The Stories table (key: id): a Story as an item, and the reads and conditional
writes that keep one story, one picture, one narration and one announcement a night."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from bedtime.core.dynamodb_values import from_attribute, to_attribute
from bedtime.records.catalog import Entry
from bedtime.records.stories import (
    HOME,
    MEDIA,
    Medium,
    MediumName,
    Recording,
    Story,
    StoryNotFound,
)

# The key of the recording the family last took off, which is not taken back (see record).
TAKEN_OFF = "recording_taken_off"


def compact(values: tuple[Any, ...]) -> str:
    """A list held as one string attribute (JSON): a story's hundred line times and its
    stanzas as a list would be over a hundred attribute values for every GetItem to carry
    and parse, and the page reads them all together or not at all."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def expanded(value: str | list[Any]) -> list[Any]:
    """A compact list, or a list attribute as items written before 2026-12-03 hold it."""
    return json.loads(value) if isinstance(value, str) else value


def medium_attributes(name: MediumName, medium: Medium) -> dict[str, Any]:
    """The item attributes (prefixed by the medium's name) that hold this medium."""
    values = {
        "status": medium.status,
        "key": medium.key,
        "alt": medium.alt,
        "size": medium.size,
        "marks_key": medium.marks_key,
        "line_times": compact(medium.line_times) if medium.line_times else None,
        "duration_ms": medium.duration_ms,
    }
    return {f"{name}_{field}": value for field, value in values.items() if value is not None}


def medium_from(name: MediumName, plain: dict[str, Any]) -> Medium:
    size = plain.get(f"{name}_size")
    duration = plain.get(f"{name}_duration_ms")
    return Medium(
        status=plain.get(f"{name}_status", "pending"),
        key=plain.get(f"{name}_key"),
        alt=plain.get(f"{name}_alt"),
        size=int(size) if size is not None else None,
        marks_key=plain.get(f"{name}_marks_key"),
        line_times=tuple(map(int, expanded(plain.get(f"{name}_line_times", ())))),
        duration_ms=int(duration) if duration is not None else None,
    )


def recording_attributes(recording: Recording) -> dict[str, Any]:
    return {f"recording_{name}": value for name, value in asdict(recording).items()}


def recording_from(plain: dict[str, Any]) -> Recording | None:
    if "recording_key" not in plain:
        return None
    return Recording(
        key=plain["recording_key"],
        content_type=plain["recording_content_type"],
        size=int(plain["recording_size"]),
        duration_ms=int(plain["recording_duration_ms"]),
        line_times=tuple(map(int, plain["recording_line_times"])),
        reader=plain["recording_reader"],
    )


def story_item(story: Story) -> dict[str, Any]:
    plain: dict[str, Any] = {
        **story.about(),
        "paragraphs": compact(story.paragraphs),
        "created_at": story.created_at.isoformat(),
        "expires_at": story.expires_at,
        "family": story.family,
        "cast": [_entry_attributes(entry) for entry in story.cast],
        "setting": _entry_attributes(story.setting),
    }
    if story.rating:
        plain["rating"] = story.rating
    if story.deliver_at:
        plain["deliver_at"] = story.deliver_at.isoformat()
    for name in MEDIA:
        plain.update(medium_attributes(name, story.medium(name)))
    if story.recording:
        plain.update(recording_attributes(story.recording))
    return {key: to_attribute(value) for key, value in plain.items()}


def story_from(item: dict[str, Any]) -> Story:
    plain = {key: from_attribute(value) for key, value in item.items()}
    return Story(
        id=plain["id"],
        night=date.fromisoformat(plain["night"]),
        title=plain["title"],
        paragraphs=tuple(expanded(plain["paragraphs"])),
        characters=tuple(plain["characters"]),
        scene=plain["scene"],
        provider=plain["provider"],
        model=plain["model"],
        created_at=datetime.fromisoformat(plain["created_at"]),
        expires_at=int(plain["expires_at"]),
        ready_at=plain.get("ready_at"),
        cast=tuple(_entry(value) for value in plain.get("cast", ())),
        setting=_entry(plain.get("setting") or {}),
        family=plain.get("family", HOME),
        rating=plain.get("rating"),
        deliver_at=datetime.fromisoformat(plain["deliver_at"]) if "deliver_at" in plain else None,
        emailed_at=plain.get("emailed_at"),
        image=medium_from("image", plain),
        audio=medium_from("audio", plain),
        recording=recording_from(plain),
    )


def _entry_attributes(entry: Entry) -> dict[str, str]:
    return {k: v for k, v in asdict(entry).items() if v}


def _entry(value: dict[str, Any]) -> Entry:
    return Entry(value.get("name", ""), value.get("description", ""), value.get("look", ""))


class StoryStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def add(self, story: Story) -> bool:
        """Save a new story; False when one with its id is already saved."""
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=story_item(story),
                ConditionExpression="attribute_not_exists(id)",
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get(self, story_id: str) -> Story:
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"id": {"S": story_id}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            raise StoryNotFound(story_id)
        return story_from(item)

    def family_stories(self, family: str, limit: int = 10) -> list[Story]:
        """The family's newest stories first (the ByFamily index: family, created_at)."""
        response = self._dynamodb.query(
            TableName=self._table,
            IndexName="ByFamily",
            KeyConditionExpression="#family = :family",
            ExpressionAttributeNames={"#family": "family"},  # a reserved word in DynamoDB
            ExpressionAttributeValues={":family": {"S": family}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [story_from(item) for item in response["Items"]]

    def claim_email(self, story_id: str, at: datetime) -> bool:
        """True for exactly one caller per story, once the story is ready."""
        return self._claim(story_id, "emailed_at", at, "attribute_exists(ready_at)")

    def set_bedtime(self, story_id: str, at: datetime) -> None:
        """The bedtime the story is delivered at, when the family has moved it."""
        self._dynamodb.update_item(
            TableName=self._table,
            Key={"id": {"S": story_id}},
            UpdateExpression="SET deliver_at = :at",
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeValues={":at": {"S": at.isoformat()}},
        )

    def release_email(self, story_id: str) -> None:
        """Undo a claim whose email could not be sent, so a retry can send it."""
        self._release(story_id, "emailed_at")

    def finish_medium(self, story_id: str, name: MediumName, medium: Medium) -> Story:
        """Record a finished medium once; a repeat leaves the first result in place."""
        update, names, values = set_expression(medium_attributes(name, medium))
        names["#status"] = f"{name}_status"
        values[":pending"] = {"S": "pending"}
        try:
            response = self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": story_id}},
                UpdateExpression=update,
                ConditionExpression="attribute_exists(id) AND #status = :pending",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException as error:
            old = error.response.get("Item")
            if not old:
                raise StoryNotFound(story_id) from error
            return story_from(old)
        return story_from(response["Attributes"])

    def record(self, story_id: str, recording: Recording) -> bool:
        """Play this recording for the story, if it has none yet and it is not the one
        the family just took off (its object is being deleted): of two racing, one is
        kept and the other is told (False). The narration stays as it was."""
        update, names, values = set_expression(recording_attributes(recording))
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": story_id}},
                UpdateExpression=update,
                ConditionExpression="attribute_exists(id) AND attribute_not_exists(recording_key)"
                f" AND (attribute_not_exists({TAKEN_OFF}) OR {TAKEN_OFF} <> :key)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**values, ":key": {"S": recording.key}},
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def forget_recording(self, story_id: str, key: str) -> bool:
        """The family's "use the machine voice again": the story stops playing the
        recording at `key`, plays its narration, and may be recorded anew. False, and
        nothing changed, when the story no longer plays that recording. The item stops
        naming the key before its object is deleted, so no story points at a deleted
        object; and it keeps the key as taken off, so that a late finish of the same
        upload is not taken back while the object is being deleted."""
        names = {f"#{field.name}": f"recording_{field.name}" for field in fields(Recording)}
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": story_id}},
                UpdateExpression=f"REMOVE {', '.join(names)} SET #taken_off = :key",
                ConditionExpression="#key = :key",
                ExpressionAttributeNames={**names, "#taken_off": TAKEN_OFF},
                ExpressionAttributeValues={":key": {"S": key}},
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def rate(self, story_id: str, rating: str, *also: dict[str, Any]) -> None:
        """The family's word on a story (a later word replaces an earlier one), written
        in one transaction with `also`, so all are written or none; StoryNotFound when
        the story or what `also` needs is gone (its family removed, say)."""
        update = {
            "TableName": self._table,
            "Key": {"id": {"S": story_id}},
            "UpdateExpression": "SET rating = :rating",
            "ConditionExpression": "attribute_exists(id)",
            "ExpressionAttributeValues": {":rating": {"S": rating}},
        }
        try:
            self._dynamodb.transact_write_items(TransactItems=[{"Update": update}, *also])
        except self._dynamodb.exceptions.TransactionCanceledException as error:
            raise StoryNotFound(story_id) from error

    def claim_ready(self, story_id: str, at: datetime) -> bool:
        """True for exactly one caller per story, once both media have finished."""
        return self._claim(
            story_id,
            "ready_at",
            at,
            "image_status IN (:done, :failed) AND audio_status IN (:done, :failed)",
            {":done": {"S": "done"}, ":failed": {"S": "failed"}},
        )

    def release_ready(self, story_id: str) -> None:
        """Undo a claim whose announcement could not be sent, so a retry can send it."""
        self._release(story_id, "ready_at")

    def _claim(
        self,
        story_id: str,
        flag: str,
        at: datetime,
        once: str,
        values: dict[str, Any] | None = None,
    ) -> bool:
        """Set `flag` to `at` if no one has yet and the `once` condition holds; whether
        this caller did."""
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": story_id}},
                UpdateExpression=f"SET {flag} = :at",
                ConditionExpression=f"attribute_not_exists({flag}) AND {once}",
                ExpressionAttributeValues={":at": {"S": at.isoformat()}, **(values or {})},
            )
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _release(self, story_id: str, flag: str) -> None:
        self._dynamodb.update_item(
            TableName=self._table,
            Key={"id": {"S": story_id}},
            UpdateExpression=f"REMOVE {flag}",
        )


def set_expression(attributes: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """An UpdateExpression that sets each attribute, with its names and values."""
    names = {f"#a{i}": attribute for i, attribute in enumerate(attributes)}
    values = {f":v{i}": to_attribute(value) for i, value in enumerate(attributes.values())}
    update = "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(attributes)))
    return update, names, values
