"""What we ask the models for: the blog's prompt, made explicit and checkable."""

from __future__ import annotations

from bedtime.records.briefs import PictureBrief, StoryBrief
from bedtime.records.catalog import Entry
from bedtime.records.speech import NARRATION_WORDS_PER_MINUTE

LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian"}
WORDS_PER_SENTENCE = {3: 6, 4: 6, 5: 8, 6: 8, 7: 10, 8: 10}

STORY_SYSTEM = (
    "You write gentle bedtime stories for young children. Stories are calm, kind and "
    "safe: no danger, no villains, no scary moments. They rhyme in couplets and end "
    "with the characters falling asleep."
)
LOOK_SYSTEM = (
    "You design characters for a children's picture book. Answer with one sentence, no "
    "names: the character's shape, colours, clothes and one detail that makes it easy to "
    "draw the same way every time."
)


def story_prompt(brief: StoryBrief) -> str:
    first, second = brief.characters
    language = LANGUAGES.get(brief.language, brief.language)
    age = brief.listener_age
    minutes = max(1, round(brief.words_wanted / NARRATION_WORDS_PER_MINUTE))
    hero = (
        f"{first.name} is the hero of this series and returns every night.\n"
        if brief.returning_hero
        else ""
    )
    return (
        f"Write a bedtime story in {language} with a short title, for a child of {age}.\n"
        f"Characters: {first.name} ({first.description}) and "
        f"{second.name} ({second.description}). {hero}"
        f"Scene: {brief.scene.name} ({brief.scene.description}).\n"
        f"Length: about {brief.words_wanted} words ({minutes} minutes read aloud slowly), "
        f"never fewer than {brief.min_words}.\n"
        f"Words: ones a {age}-year-old knows, in short sentences of about "
        f"{WORDS_PER_SENTENCE.get(age, 8)} words. Tell it about the characters (they, "
        "never we); show what each one is like, as described.\n"
        "Form: rhyming couplets, one line per verse line; stanzas of four lines, each "
        "stanza one paragraph with its lines separated by newlines; every stanza ends with "
        "a full stop, a question mark or an exclamation mark. The last stanzas grow calmer "
        "and shorter, and the story ends with the characters asleep.\n"
        f"Use both names, {first.name} and {second.name}, more than once.\n"
        f"{_past_nights(brief)}"
        f"{_rewrite(brief)}"
        "Also give a one-sentence summary for the family's story book: who did what, where."
    )


def _past_nights(brief: StoryBrief) -> str:
    if not brief.canon:
        return ""
    nights = "".join(f"- {night.night}: {night.summary}\n" for night in brief.canon)
    return (
        "Earlier nights (do not repeat their plots or titles; you may gently recall one):\n"
        f"{nights}"
    )


def _rewrite(brief: StoryBrief) -> str:
    if not brief.rewrite:
        return ""
    measured = "".join(f"- {note}\n" for note in brief.rewrite)
    return (
        "Write the story again. Your last draft was measured:\n"
        f"{measured}"
        "Keep what was good in it and fix these.\n"
    )


def look_prompt(character: Entry) -> str:
    return f"How should {character.name} be painted? They are {character.description}."


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
