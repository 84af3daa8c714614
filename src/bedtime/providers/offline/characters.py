"""Who a catalog character is, read from its description: the kind of creature, and
what it wears, carries or shows (a colour, clothing, a lantern).

The storyteller and the painter read characters the same way, so the hedgehog in the
words is the hedgehog in the picture, night after night.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bedtime.records.catalog import Entry


@dataclass(frozen=True)
class Kind:
    """A kind of character and the words that fit it (verbs in the past tense)."""

    name: str
    keywords: tuple[str, ...]
    moved: str  # alternatives: "(snuffled|trundled)"
    sound: str
    feet: str


KINDS = (
    Kind(
        "hedgehog", ("hedgehog", "hedgehogs", "hoglet"), "(trundled|scurried)", "snuffled", "paws"
    ),
    Kind("owl", ("owl", "owls", "owlet"), "(glided|fluttered)", "hooted", "toes"),
    Kind("bear", ("bear", "bears"), "(lumbered|ambled)", "hummed", "paws"),
    Kind("cat", ("cat", "cats", "kitten", "kitty"), "(padded|crept)", "purred", "paws"),
    Kind("dog", ("dog", "dogs", "puppy", "pup"), "(trotted|bounded)", "woofed", "paws"),
    Kind("rabbit", ("rabbit", "rabbits", "bunny", "hare"), "(hopped|bounced)", "sniffed", "paws"),
    Kind("fox", ("fox", "foxes", "vixen"), "(trotted|slipped)", "yipped", "paws"),
    Kind("otter", ("otter", "otters"), "(scampered|wriggled)", "chirped", "paws"),
    Kind("tortoise", ("tortoise", "turtle"), "(plodded|crept)", "sighed", "feet"),
    Kind(
        "child",
        ("child", "girl", "boy", "kid", "toddler", "baby", "princess", "prince", "lad", "lass"),
        "(skipped|tiptoed)",
        "giggled",
        "toes",
    ),
)
GENERIC = Kind("creature", (), "(wandered|pattered)", "hummed", "feet")

COLOURS = {
    "red": (214, 64, 60),
    "blue": (70, 120, 220),
    "green": (70, 170, 90),
    "yellow": (240, 200, 60),
    "pink": (240, 140, 180),
    "purple": (150, 90, 200),
    "orange": (240, 140, 50),
    "silver": (200, 205, 220),
    "golden": (230, 180, 60),
    "gold": (230, 180, 60),
    "white": (240, 240, 240),
    "black": (40, 40, 48),
    "brown": (130, 85, 50),
    "grey": (140, 140, 150),
    "gray": (140, 140, 150),
    "spotty": (200, 160, 120),
    "stripy": (200, 160, 120),
    "striped": (200, 160, 120),
}
# What a feature is decides what it can do in a line: boots stomp, a scarf flaps,
# feathers shine, a lantern glows.
FEATURES = {
    "top": (
        "scarf", "hat", "cap", "cape", "cloak", "coat", "jumper", "sweater", "hood", "bow",
        "ribbon", "bonnet", "shawl", "jacket", "dress", "pyjamas", "waistcoat", "bowtie",
    ),
    "feet": ("boots", "wellies", "wellingtons", "shoes", "slippers", "socks", "sandals"),
    "light": ("lantern", "torch", "candle", "lamp"),
    "carry": (
        "basket", "book", "blanket", "teddy", "kite", "umbrella", "bag", "backpack", "drum",
        "flute", "map", "balloon", "satchel", "spyglass", "whistle", "bell",
    ),
    "body": (
        "feathers", "fur", "spines", "prickles", "ears", "tail", "wings", "eyes", "nose",
        "whiskers", "paws", "mane", "stripes", "spots", "hair", "curls",
    ),
}  # fmt: skip
_ITEM_KIND = {item: kind for kind, items in FEATURES.items() for item in items}
_STOP = {"who", "with", "that", "which", "and", "in", "wearing", "carrying", "from", "of"}
_ARTICLES = {"a", "an", "the", "one", "some"}
# A handle keeps these with the word after them: "Mr Bumble", not "Mr".
_HONORIFICS = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "captain", "uncle", "aunt",
    "auntie", "professor", "king", "queen", "prince", "princess",
}  # fmt: skip
_NOT_A_HANDLE = {"old", "little", "big", "baby", "young", "the"}
MAX_TITLED_HANDLE = 12  # characters: "Captain Hook" is a handle, "Professor Barnaby" is not


@dataclass(frozen=True)
class Feature:
    phrase: str  # as the description says it: "blue scarf", "silver feathers", "lantern"
    kind: str  # top, feet, light, carry, body or other
    colour: str = ""


@dataclass(frozen=True)
class Character:
    name: str
    kind: Kind
    noun: str  # the description's own word: "hedgehog", "fox cub", "girl"
    adjectives: tuple[str, ...]  # as written before the noun, colours included
    features: tuple[Feature, ...]

    @property
    def handle(self) -> str:
        """What the story calls them after the first mention: "Granny" for "Granny
        Tortoise", "Miso" for "Ana-María's cat Miso", "Mr Bumble" as it is."""
        parts = self.name.split()
        if len(parts) == 1:
            return self.name
        if any(part.endswith(("'s", "\u2019s")) for part in parts[:-1]):
            return parts[-1]
        at = next((i for i, p in enumerate(parts) if p.casefold() not in _NOT_A_HANDLE), 0)
        if parts[at].casefold().rstrip(".") in _HONORIFICS and at + 1 < len(parts):
            titled = " ".join(parts[at : at + 2])
            # "Mr Bumble" and "Captain Hook", but "Barnaby" for "Professor Barnaby Badger":
            # a long handle leaves a short line no room for anything else.
            return titled if len(titled) <= MAX_TITLED_HANDLE else parts[at + 1]
        return parts[at]

    @property
    def name_says_kind(self) -> bool:
        """The name already says what they are: "Granny Tortoise", "Ana-María's cat Miso"."""
        said = set(words(self.name))
        return bool(said & {*self.kind.keywords, *self.noun.split(), self.kind.name})

    @property
    def colour(self) -> str:
        """The colour of the creature itself: "a grey cat", "an owl with silver feathers"."""
        body = [f.colour for f in self.features if f.kind == "body" and f.colour]
        return next((a for a in self.adjectives if a in COLOURS), "") or next(iter(body), "")

    @property
    def called(self) -> str:
        """The noun with its colour, if the description gives one: "grey cat"."""
        colour = next((a for a in self.adjectives if a in COLOURS), "")
        return f"{colour} {self.noun}".strip()

    @property
    def described(self) -> str:
        """The noun with up to two of its adjectives, a colour first: "small brave hedgehog"."""
        colours = [a for a in self.adjectives if a in COLOURS][:1]
        others = [a for a in self.adjectives if a not in COLOURS][: 2 - len(colours)]
        return " ".join([a for a in self.adjectives if a in colours + others] + [self.noun])


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+(?:-[a-z]+)*", text.lower())


def kind_of(description: str) -> Kind:
    """The first creature the description names: "a girl with a puppy" is a child."""
    by_word = {word: kind for kind in KINDS for word in kind.keywords}
    return next((by_word[t] for t in words(description) if t in by_word), GENERIC)


def read_character(entry: Entry) -> Character:
    tokens = words(entry.description)
    kind = kind_of(entry.description)
    noun, adjectives = _noun(tokens, kind)
    features = tuple(f for f in _features(tokens) if f.phrase.split()[-1] not in noun.split())
    return Character(entry.name, kind, noun, adjectives, features)


def _noun(tokens: list[str], kind: Kind) -> tuple[str, tuple[str, ...]]:
    """The creature's noun as written (with "cub" or "pup" after it), and its adjectives."""
    head = _first_clause(tokens)
    at = next((i for i, t in enumerate(head) if t in kind.keywords), len(head) - 1)
    if at < 0:
        return kind.name, ()
    noun = head[at]
    if at + 1 < len(head) and head[at + 1] in ("cub", "pup", "kit", "chick"):
        noun = f"{noun} {head[at + 1]}"
    return noun, tuple(t for t in head[:at] if t not in _ARTICLES)


def _first_clause(tokens: list[str]) -> list[str]:
    end = next((i for i, t in enumerate(tokens) if t in _STOP), len(tokens))
    return tokens[:end]


def _features(tokens: list[str]) -> tuple[Feature, ...]:
    found: list[Feature] = []
    for index, token in enumerate(tokens):
        colour = tokens[index - 1] if index and tokens[index - 1] in COLOURS else ""
        if token in _ITEM_KIND and (colour or _ITEM_KIND[token] != "body"):
            phrase = f"{colour} {token}".strip()
            found.append(Feature(phrase, _ITEM_KIND[token], colour))
        elif colour and token not in COLOURS and token not in _STOP:
            found.append(Feature(f"{colour} {token}", "other", colour))
    return tuple(found)
