"""The family's canon: one line for each night's story, kept after the story has faded.

The next night's brief gets the last few, so a story can recall a past adventure and
not repeat a plot; the family's ratings ("We loved it", "Not for us") tilt which
characters and scenes are chosen next. Canon table: family (key) and entry (sort key,
"<created_at>#<story id>", so a query reads the nights newest first).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Literal, cast

from bedtime.records.briefs import PastNight
from bedtime.records.stories import Story

Rating = Literal["loved", "not"]
RATINGS: dict[str, int] = {"loved": 1, "not": -1}
RECALLED_NIGHTS = 5


def rating_of(text: str) -> Rating | None:
    return cast(Rating, text) if text in RATINGS else None


def entry_key(story: Story) -> str:
    return f"{story.created_at.isoformat()}#{story.id}"


class CanonStore:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def record(self, story: Story, summary: str, motifs: tuple[str, ...]) -> None:
        """Remember the night (again, harmlessly, when a retry records it twice)."""
        item = {
            "family": {"S": story.family},
            "entry": {"S": entry_key(story)},
            "story_id": {"S": story.id},
            "night": {"S": story.night.isoformat()},
            "title": {"S": story.title},
            "summary": {"S": summary or story.title},
            "characters": {"L": [{"S": name} for name in story.characters]},
            "scene": {"S": story.scene},
            "motifs": {"L": [{"S": motif} for motif in motifs]},
        }
        self._dynamodb.put_item(TableName=self._table, Item=item)

    def recent(self, family: str, limit: int = RECALLED_NIGHTS) -> tuple[PastNight, ...]:
        """The last `limit` nights, newest first."""
        response = self._dynamodb.query(
            TableName=self._table,
            KeyConditionExpression="#family = :family",
            ExpressionAttributeNames={"#family": "family"},  # a reserved word in DynamoDB
            ExpressionAttributeValues={":family": {"S": family}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return tuple(map(_past_night, response["Items"]))

    def every_night(self, family: str) -> Iterator[PastNight]:
        """All the family's nights, newest first (a few hundred items a year)."""
        for page in self._pages(family, ScanIndexForward=False):
            yield from map(_past_night, page["Items"])

    def counts(self, family: str) -> tuple[int, int]:
        """How many stories the family loved, and how many were not for them (the home
        page asks: only the rated nights' ratings are read back)."""
        pages = self._pages(
            family, FilterExpression="attribute_exists(rating)", ProjectionExpression="rating"
        )
        ratings = [int(item["rating"]["N"]) for page in pages for item in page["Items"]]
        return ratings.count(RATINGS["loved"]), ratings.count(RATINGS["not"])

    def remove(self, family: str) -> None:
        """Forget the family's story book (when the family is removed)."""
        for night_item in self._keys(family):
            self._dynamodb.delete_item(TableName=self._table, Key=night_item)

    def _keys(self, family: str) -> list[dict[str, Any]]:
        pages = self._pages(family, ProjectionExpression="#family, entry")
        return [
            {"family": item["family"], "entry": item["entry"]}
            for page in pages
            for item in page["Items"]
        ]

    def _pages(self, family: str, **query: Any) -> Iterator[dict[str, Any]]:
        """The pages of a query over all the family's nights."""
        return self._dynamodb.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="#family = :family",
            ExpressionAttributeNames={"#family": "family"},  # a reserved word in DynamoDB
            ExpressionAttributeValues={":family": {"S": family}},
            **query,
        )

    def rating_update(self, story: Story, rating: Rating) -> dict[str, Any]:
        """The family's word on a night, as one write of the transaction that also rates
        the story (StoryStore.rate); it fails when the night is not in the book."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"family": {"S": story.family}, "entry": {"S": entry_key(story)}},
                "UpdateExpression": "SET rating = :rating",
                "ConditionExpression": "attribute_exists(#family)",
                "ExpressionAttributeNames": {"#family": "family"},
                "ExpressionAttributeValues": {":rating": {"N": str(RATINGS[rating])}},
            }
        }


def _past_night(item: dict[str, Any]) -> PastNight:
    return PastNight(
        night=date.fromisoformat(item["night"]["S"]),
        title=item["title"]["S"],
        summary=item["summary"]["S"],
        characters=tuple(value["S"] for value in item["characters"]["L"]),
        scene=item["scene"]["S"],
        motifs=tuple(value["S"] for value in item.get("motifs", {}).get("L", [])),
        rating=int(item["rating"]["N"]) if "rating" in item else 0,
    )
