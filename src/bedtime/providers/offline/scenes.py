"""What kind of place a catalog scene is, read from its name and description.

The storyteller and the painter read a scene the same way, so a story set on a
beach is told with waves and shells and painted with sand and sea.
"""

from __future__ import annotations

import re

from bedtime.providers.offline.characters import words
from bedtime.records.catalog import Entry

NIGHT = "night"  # anywhere else: the night sky, the moon and the stars
# In order of preference when two kinds match equally well.
KEYWORDS = {
    "lighthouse": ("lighthouse", "lighthouses", "beacon", "lightkeeper"),
    "beach": (
        "beach", "bay", "sea", "seaside", "shore", "ocean", "sand", "sandy", "coast", "cove",
        "harbour", "harbor", "seashore", "waves", "rockpool", "rockpools",
    ),
    "snow": (
        "snow", "snowy", "ice", "icy", "winter", "wintry", "frost", "frosty", "arctic", "polar",
        "sledge", "sled", "snowflakes", "igloo",
    ),
    "garden": (
        "garden", "gardens", "flower", "flowers", "roses", "rose", "park", "orchard",
        "greenhouse", "allotment", "blossom", "blossoms", "tulips", "daisies",
    ),
    "forest": (
        "forest", "forests", "wood", "woods", "woodland", "woodlands", "tree", "trees",
        "pines", "pine", "jungle", "grove", "oaks", "glade", "mushrooms",
    ),
    "bedroom": (
        "bedroom", "room", "house", "home", "cottage", "nursery", "attic", "bed", "bunk",
        "cabin", "playroom", "indoors", "pillow", "blanket", "den",
    ),
    "meadow": (
        "meadow", "meadows", "field", "fields", "grass", "grassy", "prairie", "cloud", "clouds",
        "pasture", "clover",
    ),
}  # fmt: skip
KINDS = (*KEYWORDS, NIGHT)
_AT = {"bay", "cove", "harbour", "harbor", "lighthouse", "pond", "lake", "beach", "seaside"}
_ON = {"hill", "hills", "mountain", "island", "shore", "slope", "slopes", "ridge"}


def scene_kind(scene: Entry) -> str:
    """The kind whose words the scene uses most, its name counting double."""
    scores = {kind: 0 for kind in KEYWORDS}
    for weight, text in ((2, scene.name), (1, scene.description)):
        for word in words(text):
            for kind, keys in KEYWORDS.items():
                scores[kind] += weight * (word in keys)
    best = max(scores.values())
    return next(kind for kind, score in scores.items() if score == best) if best else NIGHT


# What splits a description into the things it names; after a relative word the rest
# says what happens there ("a garden where flowers open"), not what is there.
_BETWEEN = {
    "a", "an", "the", "on", "in", "with", "of", "and", "by", "under", "at", "near", "beside",
    "full", "for", "to", "from", "over", "its", "their", "some", "lots", "many",
}  # fmt: skip
_RELATIVE = {"where", "who", "that", "which", "when", "while"}
_NOT_A_THING = {
    "calm", "soft", "quiet", "tall", "old", "little", "big", "warm", "cosy", "cozy", "wide",
    "slow", "fresh", "sleepy", "small", "deep", "dark", "bright", "gentle", "snowy", "grassy",
    "sandy", "green", "blue", "red", "white", "golden", "silver", "lovely", "tiny", "huge",
    "long", "high", "low", "cool", "still", "peaceful", "busy", "night", "evening", "day",
}  # fmt: skip


def own_things(scene: Entry) -> tuple[str, ...]:
    """The things the scene's description names, as it names them: "a houseboat on a slow
    river" has ("houseboat", "river"); "a vegetable garden with carrots" has ("vegetable
    garden", "carrots"). A story says them, so the scene is the family's, not a kind's."""
    text = scene.description.lower()
    tokens = re.findall(r"[^\W\d_]+(?:['-][^\W\d_]+)*|,", text)
    relative = next((i for i, t in enumerate(tokens) if t in _RELATIVE), len(tokens))
    found: list[str] = []
    chunk: list[str] = []
    for part in [*tokens[:relative], ","]:
        if part != "," and part not in _BETWEEN:
            chunk.append(part)
            continue
        things = [w for w in chunk if w not in _NOT_A_THING]
        if things:
            found.append(" ".join(things[-2:]))
        chunk = []
    return tuple(dict.fromkeys(found))


def mentions(scene: Entry, word: str) -> bool:
    return word in words(f"{scene.name} {scene.description}")


def place(scene: Entry) -> str:
    """Where the story happens, as a phrase: "at Moonlit Bay", "on Snowy Hill"."""
    name = words(scene.name)
    preposition = "in"
    if _ON & set(name):
        preposition = "on"
    elif _AT & set(name):
        preposition = "at"
    return f"{preposition} {scene.name}"
