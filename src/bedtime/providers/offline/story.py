"""A storyteller that needs no network: rhyming couplets checked by a pronouncing dictionary."""

from __future__ import annotations

import random
import re
from functools import cache

import pronouncing

from bedtime.briefs import Draft, StoryBrief
from bedtime.providers.offline import verses

Family = list[tuple[str, str]]  # (line, rhyme sound)


def last_word(line: str) -> str:
    return re.findall(r"[a-z']+", line.lower())[-1].strip("'")


def rhyme_sound(word: str) -> str | None:
    phones = pronouncing.phones_for_word(word)
    return pronouncing.rhyming_part(phones[0]) if phones else None


def rhymes(first: str, second: str) -> bool:
    a, b = last_word(first), last_word(second)
    return a != b and rhyme_sound(a) is not None and rhyme_sound(a) == rhyme_sound(b)


@cache
def _families(part: int) -> tuple[Family, ...]:
    """Each family's lines grouped by their rhyme sound; families that can't rhyme are dropped."""
    families = []
    for lines in verses.PARTS[part][0]:
        by_sound: dict[str, Family] = {}
        for line in lines:
            sound = rhyme_sound(last_word(line))
            if sound:
                by_sound.setdefault(sound, []).append((line, sound))
        families += [group for group in by_sound.values() if len(group) >= 2]
    return tuple(families)


class OfflineStoryWriter:
    name = "offline"
    model = "rhyming-couplets-1"

    def write(self, brief: StoryBrief) -> Draft:
        rng = random.Random(brief.seed)
        names = {
            "a": brief.characters[0].name,
            "b": brief.characters[1].name,
            "scene": brief.scene.name,
        }
        couplets: list[tuple[str, str]] = []
        for part, count in enumerate(couplets_per_part for _, couplets_per_part in verses.PARTS):
            families = list(_families(part))
            chosen = sorted(rng.sample(range(len(families)), min(count, len(families))))
            for family in (families[index] for index in chosen):
                start = rng.randrange(0, len(family) - 1, 2)  # lines are written in pairs
                couplets.append((family[start][0], family[start + 1][0]))
        stanzas = [couplets[i : i + 2] for i in range(0, len(couplets), 2)]
        paragraphs = tuple(
            "\n".join(_fill(line, names) for couplet in stanza for line in couplet)
            for stanza in stanzas
        )
        return Draft(title=_fill(rng.choice(verses.TITLES), names), paragraphs=paragraphs)


def _fill(template: str, names: dict[str, str]) -> str:
    # str.replace, not str.format: family-written names may hold braces.
    for slot, name in names.items():
        template = template.replace("{" + slot + "}", name)
    return template[0].upper() + template[1:]
