"""The link a family would get for a story, for the tools that open it: on a private
site it carries the story's token, signed with the family's reader secret."""

from __future__ import annotations

from bedtime.families.readers import ReaderSecrets
from bedtime.records.story_store import StoryStore
from bedtime_tools.target import Target


def story_link(target: Target, story_id: str) -> str:
    link = f"{target.site_url.rstrip('/')}/stories/{story_id}"
    if not target.private:
        return link
    dynamodb = target.client("dynamodb")
    story = StoryStore(dynamodb, target.names["StoriesTable"]).get(story_id)
    keys = ReaderSecrets(dynamodb, target.names["FamiliesTable"]).ensure(story.family)
    return link + keys.story_query(story.id, story.expires_at)
