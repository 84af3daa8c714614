"""What a character looks like, read from its description for the offline painter: its
shape, its colour and pattern, and the things it wears or carries, each in its colour.

Small tables, read left to right. A description is cut into phrases at "with", "and",
"in", commas and the like; inside a phrase a colour or a pattern belongs to the next
thing named ("a bright red bobble hat": a red hat; "a blinking blue light": a blue
light; "silver feathers": a silver body). A colour left over in the first phrase is the
creature's own ("a fat fuzzy yellow bumblebee").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bedtime.providers.offline.characters import COLOURS, FEATURES, kind_of

RGB = tuple[int, int, int]

# The painter's colours: the storyteller's, and more words a family might use.
PAINT = {
    **{word: rgb for word, rgb in COLOURS.items() if word not in ("spotty", "stripy", "striped")},
    "teal": (40, 150, 150),
    "turquoise": (64, 200, 200),
    "navy": (40, 50, 120),
    "scarlet": (220, 40, 40),
    "crimson": (190, 30, 60),
    "ginger": (216, 112, 40),
    "cream": (245, 232, 200),
    "lilac": (200, 170, 225),
    "violet": (140, 80, 200),
    "mint": (150, 225, 180),
    "lime": (170, 220, 60),
    "tan": (210, 170, 120),
    "copper": (190, 110, 60),
    "rainbow": (230, 100, 160),
}
PATTERNS = {
    "striped": "stripes", "stripy": "stripes", "stripey": "stripes", "stripes": "stripes",
    "spotted": "spots", "spotty": "spots", "spots": "spots", "dotty": "spots",
    "polka-dot": "spots", "dots": "spots",
}  # fmt: skip
# What a figure can wear or carry, and the words that name each.
PROPS = {
    "hat": ("hat", "cap", "bonnet", "beanie", "hood", "beret"),
    "scarf": ("scarf", "shawl", "bow", "ribbon", "bowtie", "collar"),
    "coat": ("coat", "jumper", "sweater", "jacket", "dress", "pyjamas", "waistcoat", "cape"),
    "boots": FEATURES["feet"],
    "lantern": FEATURES["light"],
    "balloon": ("balloon",),
    "light": ("light", "lights", "bulb", "beacon"),
}
# Parts of the creature whose colour is the creature's own, or its hair's.
PARTS = {
    "fur": "body", "feathers": "body", "prickles": "body", "spines": "body", "scales": "body",
    "shell": "body", "skin": "body", "wool": "body", "hair": "hair", "curls": "hair",
    "plaits": "hair", "pigtails": "hair",
}  # fmt: skip
# Shapes the painter draws that the storyteller has no words for (yet).
SHAPES = {
    "robot": ("robot", "robots", "android", "droid"),
    "bee": ("bee", "bees", "bumblebee", "bumblebees", "honeybee", "bumble-bee"),
}
_BETWEEN = {
    ",", "with", "and", "in", "who", "that", "which", "wearing", "carrying", "holding",
    "has", "have", "whose", "on",
}  # fmt: skip
_PROP_OF = {word: prop for prop, names in PROPS.items() for word in names}
_PATTERN_NOUNS = {"stripes", "spots", "dots"}
_SHAPE_OF = {word: shape for shape, names in SHAPES.items() for word in names}


@dataclass(frozen=True)
class Looks:
    shape: str  # a kind the storyteller knows ("fox", "child"), "robot", "bee" or "creature"
    body: str = ""  # a colour word, when the description gives one
    hair: str = ""
    pattern: str = ""  # "stripes" or "spots"
    pattern_colour: str = ""
    props: tuple[tuple[str, str], ...] = ()  # ("hat", "red"), ("light", "blue"), ("scarf", "")


def looks(description: str) -> Looks:
    tokens = re.findall(r"[a-z]+(?:-[a-z]+)*|,", description.lower())
    reading = _Reading()
    for index, phrase in enumerate(_phrases(tokens)):
        reading.phrase(phrase, first=index == 0)
    said = reading.said
    return Looks(
        shape=shape_of(description),
        body=said.get("body", ""),
        hair=said.get("hair", ""),
        pattern=said.get("pattern", ""),
        pattern_colour=said.get("pattern_colour", ""),
        props=tuple(reading.props),
    )


class _Reading:
    """Colours and patterns wait for the next thing named in their phrase."""

    def __init__(self) -> None:
        self.said: dict[str, str] = {}
        self.props: list[tuple[str, str]] = []
        self.colour = self.pattern = ""

    def phrase(self, tokens: list[str], first: bool) -> None:
        self.colour = self.pattern = ""
        for token in tokens:
            self.colour = token if token in PAINT else self.colour
            self.pattern = PATTERNS.get(token, self.pattern)
            if token in _PROP_OF:
                self.props.append((_PROP_OF[token], self.colour))
                self._next()
            elif token in _PATTERN_NOUNS:
                self._keep(pattern=self.pattern, pattern_colour=self.colour)
                self._next()
            elif token in PARTS:
                self._keep(**{PARTS[token]: self.colour}, pattern=self.pattern)
                self._next()
        self._keep(pattern=self.pattern, body=self.colour if first else "")

    def _keep(self, **values: str) -> None:
        for key, value in values.items():
            if value and key not in self.said:
                self.said[key] = value

    def _next(self) -> None:
        self.colour = self.pattern = ""


def shape_of(description: str) -> str:
    """The first creature the description names, of the storyteller's kinds or the
    painter's own: "a robot with a puppy" is a robot."""
    kind = kind_of(description)
    for word in re.findall(r"[a-z]+(?:-[a-z]+)*", description.lower()):
        if word in _SHAPE_OF:
            return _SHAPE_OF[word]
        if word in kind.keywords:
            break
    return kind.name


def _phrases(tokens: list[str]) -> list[list[str]]:
    phrases: list[list[str]] = [[]]
    for token in tokens:
        if token in _BETWEEN:
            phrases.append([])
        else:
            phrases[-1].append(token)
    return phrases
