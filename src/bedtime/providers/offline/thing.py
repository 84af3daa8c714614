"""The night's thing, when the title names one: the kite up high, the lost mitten, the
wishing star. It is drawn by the one whose night it is, the character the title names:
up in the sky when it is up high or belongs there, on the ground beside them when it
was lost. A title that names no thing the painter knows leaves the picture as it is.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter

from bedtime.providers.offline.characters import read_character, words
from bedtime.providers.offline.composition import SIZE, Composition, Placement
from bedtime.providers.offline.looks import PAINT
from bedtime.records.briefs import PictureBrief

RGB = tuple[int, int, int]
Draw = ImageDraw.ImageDraw
_INK = (40, 30, 45)
_GLOW = (255, 236, 140)
# The thing's word, its colour when the title gives none, and whether it belongs in the sky.
_THINGS: dict[str, tuple[RGB, bool]] = {
    "kite": ((240, 200, 60), True),
    "balloon": ((214, 64, 60), True),
    "star": (_GLOW, True),
    "ball": ((70, 120, 220), False),
    "mitten": ((70, 120, 220), False),
    "sock": ((214, 64, 60), False),
    "button": ((214, 64, 60), False),
    "bell": ((200, 205, 220), False),
    "map": ((236, 218, 170), False),
    "boat": ((245, 245, 240), False),
    "raft": ((150, 100, 60), False),
    "beetle": ((70, 170, 90), False),
    "moth": ((210, 200, 180), False),
    "firefly": (_GLOW, False),
    "fireflies": (_GLOW, True),
    "sparks": (_GLOW, True),
    "stars": (_GLOW, True),
}


def draw_thing(image: Image.Image, brief: PictureBrief, frame: Composition) -> None:
    said = words(brief.title)
    thing = next((word for word in said if word in _THINGS), "")
    if not thing or not frame.placements:
        return
    colour, in_sky = _THINGS[thing]
    colour = next((PAINT[word] for word in said if word in PAINT), colour)
    rng = random.Random(f"{brief.seed}:{thing}")
    by = frame.placements[_whose(brief)]
    others = [p.x for p in frame.placements if p is not by]
    away = -1 if others and others[0] > by.x else 1  # the side away from the other one
    if in_sky or "high" in said:
        x = min(max(by.x + away * rng.randrange(40, 160), 120), SIZE - 120)
        y = rng.randrange(200, 360)
    else:
        x = min(max(by.x + away * (by.size // 2 + 20), 50), SIZE - 50)
        y = by.feet - 6
    if thing in _PICTURED:
        _PICTURED[thing](image, x, y, colour, by)
    else:
        _SHAPES.get(thing, _round)(ImageDraw.Draw(image), x, y, colour)


def _whose(brief: PictureBrief) -> int:
    """The one the title names first, by name or by handle: it is their night's thing."""
    title = brief.title.casefold()
    found = [
        (title.find(name.casefold()), index)
        for index, entry in enumerate(brief.characters[:2])
        for name in (entry.name, read_character(entry).handle)
        if name.casefold() in title
    ]
    return min(found)[1] if found else 0


def _kite(image: Image.Image, x: int, y: int, colour: RGB, by: Placement) -> None:
    draw = ImageDraw.Draw(image)
    hand = (by.x, by.feet - by.size // 2)
    draw.line([(x, y + 70), hand], fill=(230, 230, 230), width=2)
    draw.polygon([(x, y - 70), (x + 50, y), (x, y + 70), (x - 50, y)], fill=colour)
    draw.line([(x, y - 70), (x, y + 70)], fill=_INK, width=3)
    draw.line([(x - 50, y), (x + 50, y)], fill=_INK, width=3)
    for i in range(3):
        bow = (x - 10 + 14 * (i % 2), y + 100 + 30 * i)
        draw.polygon([(bow[0] - 10, bow[1] - 8), (bow[0] + 10, bow[1]), (bow[0] - 10, bow[1] + 8)],
                     fill=(240, 130, 170))  # fmt: skip


def _balloon(image: Image.Image, x: int, y: int, colour: RGB, by: Placement) -> None:
    draw = ImageDraw.Draw(image)
    draw.line([(x, y + 70), (x - 10, y + 160), (x + 6, y + 230)], fill=(230, 230, 230), width=2)
    draw.ellipse([x - 50, y - 60, x + 50, y + 70], fill=colour)
    draw.ellipse([x - 30, y - 40, x - 12, y - 10], fill=(255, 255, 255))
    draw.polygon([(x - 8, y + 78), (x + 8, y + 78), (x, y + 66)], fill=colour)


def _star(image: Image.Image, x: int, y: int, colour: RGB, by: Placement) -> None:
    glow = Image.new("L", image.size)
    ImageDraw.Draw(glow).ellipse([x - 110, y - 110, x + 110, y + 110], fill=110)
    image.paste(_GLOW, (0, 0), glow.filter(ImageFilter.GaussianBlur(40)))
    points = [
        (x + r * math.sin(math.pi * i / 5), y - r * math.cos(math.pi * i / 5))
        for i, r in zip(range(10), (60, 24) * 5, strict=True)
    ]
    ImageDraw.Draw(image).polygon(points, fill=colour)


def _glimmers(image: Image.Image, x: int, y: int, colour: RGB, by: Placement) -> None:
    """Fireflies or sparks: a swirl of little lights rising from beside the one counting."""
    draw = ImageDraw.Draw(image)
    for i in range(14):
        angle, reach = i * 0.9, 30 + 14 * i
        at = (x + reach * math.cos(angle), y + 120 + reach * math.sin(angle) * 0.6)
        draw.ellipse([at[0] - 16, at[1] - 16, at[0] + 16, at[1] + 16], fill=(255, 236, 140))
        draw.ellipse([at[0] - 6, at[1] - 6, at[0] + 6, at[1] + 6], fill=(255, 255, 230))


def _round(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    """A ball or a button."""
    draw.ellipse([x - 26, ground - 44, x + 26, ground + 4], fill=colour, outline=_INK, width=3)


def _mitten(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    draw.rounded_rectangle([x - 24, ground - 70, x + 20, ground], radius=20, fill=colour)
    draw.ellipse([x + 8, ground - 60, x + 36, ground - 30], fill=colour)
    draw.rectangle([x - 28, ground - 14, x + 24, ground], fill=(250, 248, 240))


def _sock(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    draw.rectangle([x - 18, ground - 80, x + 14, ground - 14], fill=colour)
    draw.rounded_rectangle([x - 18, ground - 34, x + 40, ground], radius=16, fill=colour)
    for y in range(ground - 72, ground - 20, 16):
        draw.line([(x - 18, y), (x + 14, y)], fill=(250, 248, 240), width=6)


def _bell(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    draw.chord([x - 30, ground - 70, x + 30, ground + 10], 180, 360, fill=colour)
    draw.rectangle([x - 30, ground - 30, x + 30, ground - 10], fill=colour)
    draw.ellipse([x - 8, ground - 14, x + 8, ground + 2], fill=_INK)


def _map(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    draw.polygon([(x - 50, ground - 36), (x + 44, ground - 44), (x + 52, ground),
                  (x - 44, ground + 6)], fill=colour)  # fmt: skip
    draw.line([(x - 30, ground - 20), (x, ground - 8), (x + 24, ground - 26)], fill=(200, 60, 60),
              width=4)  # fmt: skip
    draw.line([(x + 18, ground - 32), (x + 30, ground - 20)], fill=(200, 60, 60), width=4)
    draw.line([(x + 30, ground - 32), (x + 18, ground - 20)], fill=(200, 60, 60), width=4)


def _boat(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    draw.polygon([(x - 50, ground - 24), (x + 50, ground - 24), (x + 30, ground),
                  (x - 30, ground)], fill=colour)  # fmt: skip
    draw.polygon([(x - 4, ground - 80), (x - 4, ground - 28), (x - 40, ground - 28)], fill=colour)


def _raft(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    for dx in range(-48, 48, 16):
        draw.rounded_rectangle([x + dx, ground - 20, x + dx + 14, ground], radius=5, fill=colour)
    draw.line([(x - 50, ground - 12), (x + 48, ground - 12)], fill=_INK, width=3)


def _bug(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    draw.ellipse([x - 24, ground - 30, x + 24, ground], fill=colour)
    draw.line([(x, ground - 30), (x, ground)], fill=_INK, width=3)
    draw.ellipse([x + 16, ground - 26, x + 34, ground - 8], fill=_INK)


def _firefly(draw: Draw, x: int, ground: int, colour: RGB) -> None:
    draw.ellipse([x - 26, ground - 80, x + 26, ground - 28], fill=colour)
    draw.ellipse([x - 8, ground - 62, x + 8, ground - 46], fill=(255, 255, 230))


_PICTURED: dict[str, Callable[[Image.Image, int, int, RGB, Placement], None]] = {
    "kite": _kite,
    "balloon": _balloon,
    "star": _star,
    "fireflies": _glimmers,
    "sparks": _glimmers,
    "stars": _glimmers,
}
_SHAPES: dict[str, Callable[[Draw, int, int, RGB], None]] = {
    "mitten": _mitten,
    "sock": _sock,
    "bell": _bell,
    "map": _map,
    "boat": _boat,
    "raft": _raft,
    "beetle": _bug,
    "moth": _bug,
    "firefly": _firefly,
}
