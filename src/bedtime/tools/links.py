"""The link a family would get for a story, for the tools that open it."""

from __future__ import annotations

from bedtime.tools.target import Target


def story_link(target: Target, story_id: str) -> str:
    return f"{target.site_url.rstrip('/')}/stories/{story_id}"
