"""What we ask the models for: the blog's prompt, made explicit and checkable."""

from __future__ import annotations

from bedtime.briefs import PictureBrief, StoryBrief
from bedtime.catalog import Entry

LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian"}

STORY_SYSTEM = (
    "You write gentle bedtime stories for young children. Stories are calm, kind and "
    "safe: no danger, no villains, no scary moments. They rhyme in couplets and end "
    "with the characters falling asleep."
)


def story_prompt(brief: StoryBrief) -> str:
    first, second = brief.characters
    language = LANGUAGES.get(brief.language, brief.language)
    return (
        f"Write a bedtime story in {language} with a short title.\n"
        f"Characters: {first.name} ({first.description}) and "
        f"{second.name} ({second.description}).\n"
        f"Scene: {brief.scene.name} ({brief.scene.description}).\n"
        f"Rules: at least {brief.min_words} words; rhyming couplets, one line per verse "
        "line; stanzas of four lines, each stanza one paragraph with its lines separated "
        f"by newlines; use both names, {first.name} and {second.name}, more than once; "
        "simple words a five-year-old knows."
    )


def picture_prompt(brief: PictureBrief) -> str:
    return (
        "A gentle, child-friendly picture-book illustration for a bedtime story, "
        "soft colours, night-time, cosy and calm, with no text or letters in the image. "
        f"Story: {brief.title}. Characters: {' and '.join(_painted(c) for c in brief.characters)}. "
        f"Setting: {_painted(brief.scene)}. The story begins: {brief.opening[:400]}"
    )


def _painted(entry: Entry) -> str:
    detail = entry.look or entry.description
    return f"{entry.name} ({detail})" if detail else entry.name
