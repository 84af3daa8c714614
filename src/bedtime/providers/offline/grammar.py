"""Line templates, and the sounds of the lines they make: rhymes and syllables.

A template is one line of verse with slots and choices:

    "{x} found a (pink|striped) shell upon the sand. ~ looked for shells"

- ``{x}``/``{y}``: this line's character and the other one; ``{x.noun}``, ``{x.moved}``
  and the rest are words that fit the character (see ``Cast``); ``{scene}`` and
  ``{place}`` name the scene ("Moonlit Bay", "at Moonlit Bay").
- ``(a|b)``: one of the choices, picked at random.
- ``<plain/rich>``: the plain word for young listeners, the rich one for older ones.
- ``[...]``: words left out for the youngest listeners.
- ``@beach,snow@`` at the start: only in those scenes.
- `` ~ deed`` at the end: what the line tells of the night, for the story's summary.

Names go in last and are never parsed, so a name with brackets or braces is kept as it is.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

import pronouncing

_CHOICE = re.compile(r"\(([^()]*)\)")
_LEVEL = re.compile(r"<([^<>/]*)/([^<>]*)>")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{([A-Za-z]+(?:\.[a-z]+)?)\}")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


@dataclass(frozen=True)
class Template:
    text: str
    pool: str
    scenes: tuple[str, ...] = ()  # empty: any scene
    deed: str = ""

    @cached_property
    def id(self) -> str:
        """Stable while the template's words stay the same."""
        return f"{self.pool}-{hashlib.sha256(self.text.encode()).hexdigest()[:6]}"

    def slots(self) -> set[str]:
        return set(_SLOT.findall(self.text))


def template(text: str, pool: str) -> Template:
    scenes: tuple[str, ...] = ()
    if text.startswith("@"):
        head, text = text[1:].split("@", 1)
        scenes = tuple(head.split(","))
    text, _, deed = text.partition(" ~ ")
    return Template(text.strip(), pool, scenes, deed.strip())


@dataclass(frozen=True)
class Style:
    """How a line is worded for a listener's age."""

    rich: bool  # the rich word of <plain/rich>
    optional: float  # how often [...] words are kept


def skeletons(text: str, style: Style, rng: random.Random, limit: int) -> list[str]:
    """Up to `limit` different ways to make the template's choices, picked at random;
    slots are still {slots}."""
    text = _LEVEL.sub(lambda m: m.group(2 if style.rich else 1), text)
    combos = list(itertools.product(*(m.group(1).split("|") for m in _CHOICE.finditer(text))))
    rng.shuffle(combos)
    found = []
    for combo in combos[:limit]:
        made = _CHOICE.sub(_one_by_one(combo), text)
        made = _OPTIONAL.sub(lambda m: m.group(1) if rng.random() < style.optional else "", made)
        found.append(" ".join(made.split()).replace(" ,", ","))
    return found


# Words a line for the youngest listeners can do without: "A little crab went by."
_SPARE = {
    "little", "tiny", "sleepy", "softly", "gently", "happy", "very", "great", "small",
    "so", "quite", "just", "slowly", "quietly", "then",
}  # fmt: skip
_KEEP_AFTER = {"as", "so", "too", "very", "how", "was", "were", "felt", "looked", "is", "and"}


def pare(text: str) -> str | None:
    """The line with one spare word left out, or None when it has none to spare.

    A word stays when the sentence leans on it: in the last two words ("so slow"),
    before "and" or a comma, after "as" ("as happy as"), or between "a" and a vowel
    ("a little owl")."""
    tokens = text.split(" ")
    for i in range(1, len(tokens) - 2):
        word, before, after = tokens[i], tokens[i - 1].lower(), tokens[i + 1]
        if word.lower() not in _SPARE or not after[:1].isalpha() or after in ("and", "or"):
            continue
        if before in _KEEP_AFTER or (before == "a" and after[:1].lower() in "aeiou"):
            continue
        return " ".join(tokens[:i] + tokens[i + 1 :])
    return None


def _one_by_one(combo: tuple[str, ...]) -> Callable[[re.Match[str]], str]:
    choices = iter(combo)
    return lambda _: next(choices)


def fill(text: str, values: dict[str, str]) -> str:
    """Each {slot} replaced by its value, which is never read again for slots."""
    filled = _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return filled[:1].upper() + filled[1:]


# --- sounds ----------------------------------------------------------------------
def words(line: str) -> list[str]:
    return _WORD.findall(line)


def last_word(line: str) -> str:
    found = words(line.lower())
    return found[-1].replace("\u2019", "'") if found else ""


# Sounds the dictionary tells apart that rhyme all the same: "here" and "near".
_ALSO = {"IY R": "IH R"}


@cache
def rhyme_sounds(word: str) -> frozenset[str]:
    """The rhyming parts of every way the word is said, stress marks ignored."""
    parts = (pronouncing.rhyming_part(p) for p in pronouncing.phones_for_word(word.lower()))
    sounds = {re.sub(r"\d", "", part) for part in parts}
    return frozenset(sounds | {_ALSO[s] for s in sounds if s in _ALSO})


def rhymes(first: str, second: str) -> bool:
    """Two lines rhyme: different last words (not one inside the other) that sound alike."""
    a, b = last_word(first), last_word(second)
    return bool(a and b) and apart(a, b) and bool(rhyme_sounds(a) & rhyme_sounds(b))


def apart(a: str, b: str) -> bool:
    """Two last words that can rhyme: neither is the end of the other ("night", "tonight")."""
    return not (a.endswith(b) or b.endswith(a))


@cache
def word_syllables(word: str) -> int:
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if "-" in word:
        return sum(word_syllables(part) for part in word.split("-") if part)
    phones = pronouncing.phones_for_word(word)
    if phones:
        return pronouncing.syllable_count(phones[0])
    return _guess_syllables(word)


def _guess_syllables(word: str) -> int:
    """Vowel groups, for words the dictionary doesn't know (most names)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if c.isascii()) or word
    groups = re.findall(r"[aeiouy]+", plain)
    count = len(groups)
    if plain.endswith("e") and not plain.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def syllables(line: str) -> int:
    return sum(word_syllables(word) for word in words(line))
