"""The link a family would get for a story, for the tools that open it: on a private
site it carries the story's token, signed with the family's reader secret."""

from __future__ import annotations

from bedtime.records.story_store import StoryStore
from bedtime_local.tonight import story_link as signed_link
from bedtime_tools.target import Target


def story_link(target: Target, story_id: str) -> str:
    dynamodb = target.client("dynamodb")
    story = StoryStore(dynamodb, target.names["StoriesTable"]).get(story_id)
    return signed_link(
        dynamodb, target.names["FamiliesTable"], target.site_url, target.private, story
    )
