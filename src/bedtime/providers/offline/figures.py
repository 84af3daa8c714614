"""The offline painter's characters: each kind of creature drawn in its own shape (a
robot and a bee among them), and any other kind as a round, soft someone.

A figure depends only on the character's description (its kind, its colours and
pattern, what it wears or carries, read by looks.py), never on the night, so the
hedgehog in Monday's picture is the hedgehog in Tuesday's; only where it stands, its
size and which way it faces change (composition.py). ``figure_spec`` says what to draw;
``figure_image`` draws it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from bedtime.providers.offline.looks import PAINT, looks
from bedtime.records.catalog import Entry

RGB = tuple[int, int, int]
SPRITE = 300  # the figure's square, in pixels of the picture
_SCALE = 2  # drawn twice as large, then scaled down: smooth edges
_S = SPRITE * _SCALE
_INK = (40, 30, 45)
_WHITE = (250, 248, 240)
_PINK = (240, 150, 165)

BODY = {
    "hedgehog": (150, 108, 72),
    "owl": (160, 118, 78),
    "bear": (128, 86, 56),
    "cat": (150, 150, 162),
    "dog": (205, 160, 110),
    "rabbit": (222, 214, 206),
    "fox": (226, 116, 44),
    "otter": (118, 84, 62),
    "tortoise": (96, 136, 74),
    "robot": (178, 190, 206),
    "bee": (246, 196, 52),
}
_SKIN = ((244, 204, 170), (222, 170, 128), (176, 122, 84), (120, 80, 54))
_HAIR = ((60, 40, 30), (150, 90, 40), (230, 190, 110), (30, 24, 24))
_SOFT = ((170, 150, 220), (120, 190, 170), (120, 170, 230), (150, 200, 120), (210, 150, 190))
_WEAR_COLOUR = {
    "scarf": (200, 70, 70),
    "hat": (90, 110, 200),
    "coat": (90, 150, 200),
    "boots": (220, 190, 60),
    "lantern": (240, 200, 90),
    "balloon": (230, 90, 120),
    "light": (240, 80, 70),
}
# What a shape always has: a robot its light, a bee its stripes.
_ALWAYS_LIGHT = {"robot"}
_ALWAYS_STRIPED = {"bee": (52, 40, 36)}


@dataclass(frozen=True)
class FigureSpec:
    shape: str  # the kind: "hedgehog", ..., "child", "robot", "bee" or "creature"
    body: RGB
    accent: RGB  # belly, muzzle, face
    dark: RGB  # spines, ears, wings
    wears: tuple[tuple[str, RGB], ...] = ()  # ("scarf", blue), ("lantern", gold)
    hair: RGB = _HAIR[0]  # a child's
    pattern: str = ""  # "stripes" or "spots", over the body's colour
    pattern_colour: RGB = _INK


def figure_spec(character: Entry) -> FigureSpec:
    """What to draw for this character: the same description, the same figure."""
    seen = looks(character.description)
    shape = seen.shape
    pick = _digest(character.description)
    body = PAINT.get(seen.body) or BODY.get(shape) or _SOFT[pick % len(_SOFT)]
    wears = [(prop, PAINT.get(colour) or _WEAR_COLOUR[prop]) for prop, colour in seen.props]
    if shape in _ALWAYS_LIGHT and not any(prop == "light" for prop, _ in wears):
        wears.append(("light", _WEAR_COLOUR["light"]))
    accent = (250, 244, 232) if shape == "fox" else _mix(body, _WHITE, 0.45)
    if shape == "child":  # the body is the pyjamas, the accent the skin
        accent = _SKIN[pick % len(_SKIN)]
    hair = PAINT.get(seen.hair) or _HAIR[pick // 3 % len(_HAIR)]
    pattern = seen.pattern or ("stripes" if shape in _ALWAYS_STRIPED else "")
    stripes = PAINT.get(seen.pattern_colour) or _ALWAYS_STRIPED.get(shape) or _mix(body, _INK, 0.5)
    dark = _mix(body, _INK, 0.3)
    return FigureSpec(shape, body, accent, dark, tuple(wears), hair, pattern, stripes)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.casefold().encode()).digest()[:4], "big")


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def figure_image(spec: FigureSpec, size: int = SPRITE) -> Image.Image:
    """The figure on a transparent square of `size`, standing on its bottom edge."""
    return _drawn(spec).resize((size, size), Image.Resampling.LANCZOS)


@cache
def _drawn(spec: FigureSpec) -> Image.Image:
    canvas = Image.new("RGBA", (_S, _S), (0, 0, 0, 0))
    anchors = _SHAPES.get(spec.shape, _creature)(ImageDraw.Draw(canvas), spec)
    _pattern(canvas, spec)
    if any(wear == "lantern" for wear, _ in spec.wears):
        canvas = Image.alpha_composite(_glow(anchors.hand), canvas)
    draw = ImageDraw.Draw(canvas)
    for wear, colour in spec.wears:
        if wear == "light":
            canvas = Image.alpha_composite(canvas, _halo(_bulb_at(anchors), colour))
            draw = ImageDraw.Draw(canvas)
        _ACCESSORIES[wear](draw, anchors, colour)
    return canvas


def _pattern(canvas: Image.Image, spec: FigureSpec) -> None:
    """Stripes or spots, painted only where the body's own colour shows."""
    if not spec.pattern:
        return
    same = ImageChops.difference(canvas.convert("RGB"), Image.new("RGB", canvas.size, spec.body))
    on_body = same.convert("L").point(lambda v: 255 if v == 0 else 0)
    marks = Image.new("L", canvas.size, 0)
    draw = ImageDraw.Draw(marks)
    if spec.pattern == "stripes":
        for x in range(30, _S, 84):
            draw.rectangle([x, 0, x + 40, _S], fill=255)
    else:
        for row, y in enumerate(range(20, _S, 70)):
            for x in range(20 + 35 * (row % 2), _S, 70):
                draw.ellipse([x - 14, y - 14, x + 14, y + 14], fill=255)
    canvas.paste(spec.pattern_colour, mask=ImageChops.multiply(on_body, marks))


def _glow(at: tuple[int, int]) -> Image.Image:
    """A lantern's warm light, behind the one who carries it."""
    x, y = at
    glow = Image.new("RGBA", (_S, _S), (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse([x - 90, y - 60, x + 90, y + 130], fill=(255, 236, 160, 120))
    return glow


@dataclass(frozen=True)
class Anchors:
    neck: tuple[int, int, int]  # x, y, half width
    crown: tuple[int, int, int]  # top of the head: x, y, half width
    feet: tuple[int, int]  # x of the left foot and y of the ground
    hand: tuple[int, int]
    light: tuple[int, int] | None = None  # where its own light shines: a robot's antenna


def _bulb_at(a: Anchors) -> tuple[int, int]:
    """A light on the figure's own antenna, or on a little stalk above its head."""
    x, y, _ = a.crown
    return a.light or (x, y - 70)


def _halo(at: tuple[int, int], colour: RGB) -> Image.Image:
    x, y = at
    halo = Image.new("RGBA", (_S, _S), (0, 0, 0, 0))
    ImageDraw.Draw(halo).ellipse([x - 64, y - 64, x + 64, y + 64], fill=(*colour, 90))
    return halo.filter(ImageFilter.GaussianBlur(14))


Draw = ImageDraw.ImageDraw


def _eye(draw: Draw, x: int, y: int, r: int = 9) -> None:
    draw.ellipse([x - r, y - r, x + r, y + r], fill=_INK)
    draw.ellipse([x - r // 3, y - r + 2, x + r // 3, y - r // 3], fill=_WHITE)


def _smile(draw: Draw, x: int, y: int, w: int = 22) -> None:
    draw.arc([x - w, y - w // 2, x + w, y + w // 2], 20, 160, fill=_INK, width=6)


def _hedgehog(draw: Draw, s: FigureSpec) -> Anchors:
    spikes = []
    for i in range(25):
        t = 3.14159 * (1 + i / 24)
        r = 190 if i % 2 else 150
        spikes.append((290 + r * math.cos(t), 470 + r * 0.9 * math.sin(t)))
    draw.polygon([(110, 560), *spikes, (470, 560)], fill=s.dark)
    draw.ellipse([130, 360, 450, 580], fill=s.body)
    draw.polygon([(390, 410), (560, 480), (390, 540)], fill=s.accent)
    draw.ellipse([540, 466, 572, 496], fill=_INK)
    _eye(draw, 440, 455)
    draw.ellipse([200, 556, 250, 584], fill=s.dark)
    draw.ellipse([350, 556, 400, 584], fill=s.dark)
    return Anchors((400, 420, 60), (330, 300, 90), (225, 584), (500, 470))


def _owl(draw: Draw, s: FigureSpec) -> Anchors:
    draw.polygon([(190, 250), (215, 170), (255, 235)], fill=s.dark)
    draw.polygon([(410, 250), (385, 170), (345, 235)], fill=s.dark)
    draw.ellipse([170, 210, 430, 585], fill=s.body)
    draw.ellipse([130, 330, 220, 520], fill=s.dark)
    draw.ellipse([380, 330, 470, 520], fill=s.dark)
    draw.ellipse([215, 360, 385, 565], fill=s.accent)
    for x in (245, 355):
        draw.ellipse([x - 48, 262, x + 48, 358], fill=_WHITE)
        _eye(draw, x, 312, 22)
    draw.polygon([(285, 350), (315, 350), (300, 385)], fill=(236, 160, 60))
    for x in (250, 350):
        draw.rectangle([x - 25, 570, x + 25, 588], fill=(236, 160, 60))
    return Anchors((300, 400, 110), (300, 225, 100), (250, 588), (460, 470))


def _bear(draw: Draw, s: FigureSpec) -> Anchors:
    draw.ellipse([150, 330, 450, 585], fill=s.body)
    draw.ellipse([225, 400, 375, 560], fill=s.accent)
    for x in (205, 395):
        draw.ellipse([x - 48, 120, x + 48, 216], fill=s.body)
        draw.ellipse([x - 24, 144, x + 24, 192], fill=s.accent)
    draw.ellipse([185, 140, 415, 370], fill=s.body)
    draw.ellipse([245, 260, 355, 345], fill=s.accent)
    draw.ellipse([282, 268, 318, 294], fill=_INK)
    _smile(draw, 300, 318)
    _eye(draw, 255, 230)
    _eye(draw, 345, 230)
    return Anchors((300, 370, 100), (300, 150, 100), (220, 585), (455, 450))


def _cat(draw: Draw, s: FigureSpec) -> Anchors:
    draw.arc([330, 300, 520, 560], 270, 90, fill=s.dark, width=34)
    draw.ellipse([190, 360, 410, 585], fill=s.body)
    draw.polygon([(210, 230), (225, 120), (290, 190)], fill=s.body)
    draw.polygon([(390, 230), (375, 120), (310, 190)], fill=s.body)
    draw.polygon([(228, 205), (235, 150), (270, 190)], fill=_PINK)
    draw.polygon([(372, 205), (365, 150), (330, 190)], fill=_PINK)
    draw.ellipse([200, 170, 400, 360], fill=s.body)
    _eye(draw, 255, 250, 12)
    _eye(draw, 345, 250, 12)
    draw.polygon([(288, 290), (312, 290), (300, 304)], fill=_PINK)
    for dy in (-8, 10):
        draw.line([(180, 300 + dy), (260, 305)], fill=_INK, width=3)
        draw.line([(340, 305), (420, 300 + dy)], fill=_INK, width=3)
    _smile(draw, 300, 320, 16)
    return Anchors((300, 372, 90), (300, 160, 95), (240, 585), (440, 450))


def _dog(draw: Draw, s: FigureSpec) -> Anchors:
    draw.arc([370, 330, 500, 470], 200, 340, fill=s.body, width=26)
    draw.ellipse([180, 350, 420, 585], fill=s.body)
    draw.ellipse([190, 160, 410, 370], fill=s.body)
    draw.ellipse([150, 170, 225, 330], fill=s.dark)
    draw.ellipse([375, 170, 450, 330], fill=s.dark)
    draw.ellipse([240, 270, 360, 355], fill=s.accent)
    draw.ellipse([278, 272, 322, 302], fill=_INK)
    _smile(draw, 300, 326)
    _eye(draw, 255, 240)
    _eye(draw, 345, 240)
    return Anchors((300, 375, 95), (300, 165, 100), (235, 585), (445, 460))


def _rabbit(draw: Draw, s: FigureSpec) -> Anchors:
    draw.ellipse([390, 500, 450, 560], fill=_WHITE)
    draw.ellipse([190, 370, 410, 585], fill=s.body)
    for x in (255, 345):
        draw.ellipse([x - 32, 40, x + 32, 250], fill=s.body)
        draw.ellipse([x - 16, 70, x + 16, 225], fill=_PINK)
    draw.ellipse([205, 190, 395, 380], fill=s.body)
    _eye(draw, 260, 265)
    _eye(draw, 340, 265)
    draw.ellipse([288, 300, 312, 318], fill=_PINK)
    _smile(draw, 300, 336, 16)
    return Anchors((300, 385, 90), (300, 200, 90), (245, 585), (440, 470))


def _fox(draw: Draw, s: FigureSpec) -> Anchors:
    draw.polygon([(390, 560), (540, 380), (560, 450), (470, 580)], fill=s.body)
    draw.polygon([(540, 380), (575, 350), (560, 450)], fill=s.accent)
    draw.ellipse([190, 360, 410, 585], fill=s.body)
    draw.ellipse([240, 420, 360, 570], fill=s.accent)
    draw.polygon([(200, 250), (215, 120), (290, 200)], fill=s.body)
    draw.polygon([(400, 250), (385, 120), (310, 200)], fill=s.body)
    draw.polygon([(212, 160), (215, 120), (240, 150)], fill=_INK)
    draw.polygon([(388, 160), (385, 120), (360, 150)], fill=_INK)
    draw.ellipse([195, 170, 405, 360], fill=s.body)
    draw.polygon([(215, 280), (385, 280), (300, 375)], fill=s.accent)
    draw.ellipse([286, 352, 314, 376], fill=_INK)
    _eye(draw, 255, 250)
    _eye(draw, 345, 250)
    return Anchors((300, 380, 95), (300, 170, 100), (245, 585), (455, 470))


def _otter(draw: Draw, s: FigureSpec) -> Anchors:
    draw.arc([360, 420, 520, 590], 180, 300, fill=s.dark, width=34)
    draw.ellipse([205, 280, 395, 585], fill=s.body)
    draw.ellipse([245, 340, 355, 560], fill=s.accent)
    for x in (235, 365):
        draw.ellipse([x - 22, 150, x + 22, 194], fill=s.dark)
    draw.ellipse([215, 150, 385, 320], fill=s.body)
    draw.ellipse([245, 230, 355, 310], fill=s.accent)
    draw.ellipse([284, 238, 316, 260], fill=_INK)
    for dy in (-6, 10):
        draw.line([(200, 270 + dy), (265, 272)], fill=_INK, width=3)
        draw.line([(335, 272), (400, 270 + dy)], fill=_INK, width=3)
    _eye(draw, 262, 215)
    _eye(draw, 338, 215)
    _smile(draw, 300, 282, 14)
    return Anchors((300, 330, 80), (300, 155, 85), (255, 585), (430, 430))


def _tortoise(draw: Draw, s: FigureSpec) -> Anchors:
    skin = _mix(s.body, (200, 190, 120), 0.5)
    for x in (190, 260, 340, 410):
        draw.rectangle([x - 25, 520, x + 25, 585], fill=skin)
    draw.ellipse([430, 380, 540, 480], fill=skin)
    _eye(draw, 500, 420)
    draw.pieslice([120, 330, 480, 690], 180, 360, fill=s.body)
    draw.rectangle([120, 505, 480, 530], fill=s.dark)
    for x, y in ((220, 430), (300, 390), (380, 430), (300, 470)):
        draw.regular_polygon((x, y, 38), 6, fill=s.dark)
    return Anchors((470, 470, 45), (300, 330, 110), (190, 585), (520, 460))


def _child(draw: Draw, s: FigureSpec) -> Anchors:
    for x in (255, 345):
        draw.rectangle([x - 28, 490, x + 28, 585], fill=s.dark)
    draw.rounded_rectangle([205, 330, 395, 520], radius=50, fill=s.body)
    draw.line([(215, 360), (160, 460)], fill=s.body, width=40)
    draw.line([(385, 360), (440, 460)], fill=s.body, width=40)
    for x in (160, 440):
        draw.ellipse([x - 22, 440, x + 22, 484], fill=s.accent)
    draw.ellipse([195, 120, 405, 330], fill=s.hair)
    draw.ellipse([212, 150, 388, 326], fill=s.accent)
    draw.chord([200, 120, 400, 260], 180, 360, fill=s.hair)
    _eye(draw, 262, 235)
    _eye(draw, 338, 235)
    draw.ellipse([230, 260, 256, 280], fill=_PINK)
    draw.ellipse([344, 260, 370, 280], fill=_PINK)
    _smile(draw, 300, 284, 20)
    return Anchors((300, 335, 70), (300, 130, 100), (255, 585), (445, 470))


def _robot(draw: Draw, s: FigureSpec) -> Anchors:
    """Boxy: a square head on a square body, an antenna with its light, bolts and a dial."""
    draw.line([(300, 160), (300, 90)], fill=s.dark, width=12)
    for x, to in ((195, 135), (405, 465)):
        draw.line([(x, 380), (to, 470)], fill=s.dark, width=30)
        draw.ellipse([to - 26, 456, to + 26, 508], fill=s.body)
    for x in (255, 345):
        draw.rectangle([x - 26, 510, x + 26, 570], fill=s.dark)
        draw.rounded_rectangle([x - 40, 560, x + 40, 588], radius=10, fill=s.body)
    draw.rounded_rectangle([185, 340, 415, 520], radius=22, fill=s.body)
    draw.rounded_rectangle([240, 375, 360, 470], radius=12, fill=s.accent)
    for y in (400, 422, 444):
        draw.line([(258, y), (342, y)], fill=s.dark, width=6)
    draw.rectangle([275, 318, 325, 345], fill=s.dark)
    draw.rectangle([175, 210, 200, 260], fill=s.dark)
    draw.rectangle([400, 210, 425, 260], fill=s.dark)
    draw.rounded_rectangle([195, 150, 405, 325], radius=26, fill=s.body)
    draw.rounded_rectangle([222, 180, 378, 296], radius=18, fill=(44, 52, 74))
    for x in (265, 335):
        draw.ellipse([x - 20, 210, x + 20, 250], fill=(230, 244, 255))
        draw.ellipse([x - 8, 222, x + 8, 238], fill=(44, 52, 74))
    draw.arc([270, 250, 330, 280], 20, 160, fill=(230, 244, 255), width=6)
    return Anchors((300, 340, 90), (300, 160, 105), (255, 588), (465, 470), light=(300, 82))


def _bee(draw: Draw, s: FigureSpec) -> Anchors:
    """A round striped body side on, wings above it, a smiling head with feelers."""
    wing = (226, 240, 255)
    for box in ([170, 120, 300, 350], [270, 100, 400, 340]):
        draw.ellipse(box, fill=wing, outline=(150, 170, 200), width=6)
    draw.polygon([(110, 430), (60, 455), (112, 470)], fill=_INK)
    for x in (200, 280, 360):
        draw.line([(x, 540), (x - 14, 588)], fill=_INK, width=10)
    draw.ellipse([100, 300, 440, 560], fill=s.body)
    for x, tip in ((440, 380), (500, 410)):
        draw.line([(x, 300), (tip, 215)], fill=_INK, width=8)
        draw.ellipse([tip - 14, 201, tip + 14, 229], fill=_INK)
    draw.ellipse([380, 280, 540, 440], fill=s.accent)
    _eye(draw, 480, 345, 13)
    _smile(draw, 472, 392, 24)
    draw.ellipse([497, 370, 523, 390], fill=_PINK)
    return Anchors((390, 410, 50), (460, 285, 75), (200, 588), (420, 500))


def _creature(draw: Draw, s: FigureSpec) -> Anchors:
    """Anyone the painter has no shape for: a round soft someone in the described
    colours, with no ears or tail of another kind."""
    for x in (245, 355):
        draw.ellipse([x - 45, 545, x + 45, 590], fill=s.dark)
    draw.ellipse([155, 360, 215, 470], fill=s.body)
    draw.ellipse([385, 360, 445, 470], fill=s.body)
    draw.ellipse([180, 150, 420, 575], fill=s.body)
    draw.arc([270, 100, 330, 170], 90, 300, fill=s.dark, width=14)
    draw.ellipse([235, 380, 365, 540], fill=s.accent)
    _eye(draw, 255, 255, 16)
    _eye(draw, 345, 255, 16)
    draw.ellipse([215, 290, 245, 310], fill=_PINK)
    draw.ellipse([355, 290, 385, 310], fill=_PINK)
    _smile(draw, 300, 315)
    return Anchors((300, 355, 100), (300, 165, 100), (245, 590), (440, 430))


def _scarf(draw: Draw, a: Anchors, colour: RGB) -> None:
    x, y, w = a.neck
    draw.rounded_rectangle([x - w, y - 22, x + w, y + 22], radius=20, fill=colour)
    draw.rounded_rectangle([x + w // 3, y, x + w // 3 + 44, y + 110], radius=14, fill=colour)


def _hat(draw: Draw, a: Anchors, colour: RGB) -> None:
    x, y, w = a.crown
    draw.chord([x - w, y - w, x + w, y + w], 180, 360, fill=colour)
    draw.rounded_rectangle([x - w - 8, y - 18, x + w + 8, y + 10], radius=12, fill=colour)
    draw.ellipse([x - 24, y - w - 30, x + 24, y - w + 18], fill=_WHITE)


def _coat(draw: Draw, a: Anchors, colour: RGB) -> None:
    x, y, w = a.neck
    draw.rounded_rectangle([x - w, y + 10, x + w, y + 150], radius=40, fill=colour)
    for dy in (45, 95):
        draw.ellipse([x - 9, y + dy - 9, x + 9, y + dy + 9], fill=_WHITE)


def _boots(draw: Draw, a: Anchors, colour: RGB) -> None:
    left, ground = a.feet
    for x in (left, 2 * 300 - left):
        draw.rounded_rectangle([x - 34, ground - 60, x + 34, ground], radius=12, fill=colour)


def _lantern(draw: Draw, a: Anchors, colour: RGB) -> None:
    x, y = a.hand
    draw.arc([x - 26, y - 40, x + 26, y + 10], 180, 360, fill=_INK, width=6)
    draw.rounded_rectangle([x - 32, y - 12, x + 32, y + 80], radius=8, fill=colour)
    draw.rectangle([x - 18, y + 4, x + 18, y + 64], fill=(255, 244, 190))


def _light(draw: Draw, a: Anchors, colour: RGB) -> None:
    x, y = _bulb_at(a)
    if a.light is None:
        draw.line([(a.crown[0], a.crown[1]), (x, y)], fill=_INK, width=8)
    draw.ellipse([x - 26, y - 26, x + 26, y + 26], fill=colour)
    draw.ellipse([x - 12, y - 16, x + 2, y - 4], fill=_mix(colour, _WHITE, 0.7))


def _balloon(draw: Draw, a: Anchors, colour: RGB) -> None:
    x, y = a.hand
    draw.line([(x, y), (x + 20, 110)], fill=_INK, width=4)
    draw.ellipse([x - 40, 10, x + 80, 130], fill=colour)


_SHAPES: dict[str, Callable[[Draw, FigureSpec], Anchors]] = {
    "hedgehog": _hedgehog,
    "owl": _owl,
    "bear": _bear,
    "cat": _cat,
    "dog": _dog,
    "rabbit": _rabbit,
    "fox": _fox,
    "otter": _otter,
    "tortoise": _tortoise,
    "child": _child,
    "robot": _robot,
    "bee": _bee,
}
_ACCESSORIES: dict[str, Callable[[Draw, Anchors, RGB], None]] = {
    "scarf": _scarf,
    "hat": _hat,
    "coat": _coat,
    "boots": _boots,
    "lantern": _lantern,
    "balloon": _balloon,
    "light": _light,
}
