"""A painter that needs no network: tonight's scene and characters drawn with Pillow.

The scene is painted by kind (beach, lighthouse, snow, garden, forest, bedroom,
meadow, or the open night), each character in the shape of what it is (figures.py)
with its name beneath in DejaVu Sans, which has the letters of most names: Zoë,
Ana-María, Юля. There is always a crescent moon, as in the words.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bedtime.providers.offline.figures import SPRITE, figure_image, figure_spec
from bedtime.providers.offline.scenes import mentions, scene_kind
from bedtime.records.briefs import PictureBrief
from bedtime.records.catalog import Entry

SIZE = 1024
HORIZON = 640
GROUND = 900  # where the characters stand
FONT = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"
LABEL_SIZE = 44
RGB = tuple[int, int, int]
Draw = ImageDraw.ImageDraw
_MOON = (255, 244, 205)


class OfflinePainter:
    name = "offline"

    def paint(self, brief: PictureBrief) -> bytes:
        rng = random.Random(brief.seed)
        image = Image.new("RGB", (SIZE, SIZE))
        _SCENES[scene_kind(brief.scene)](image, rng, brief.scene)
        cast = brief.characters[:2]
        for index, character in enumerate(cast):
            _stand(image, character, index, len(cast))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=6)
        return buffer.getvalue()


def figure_x(index: int, count: int) -> int:
    """The centre of a character's figure: two side by side, or one in the middle."""
    return SIZE // 2 if count == 1 else 300 + index * 424


def figure_box(index: int, count: int) -> tuple[int, int, int, int]:
    """Where a character's figure is pasted: left, top, right, bottom."""
    left = figure_x(index, count) - SPRITE // 2
    return left, GROUND - SPRITE, left + SPRITE, GROUND


@cache
def label_font(size: int = LABEL_SIZE) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def _stand(image: Image.Image, character: Entry, index: int, count: int) -> None:
    sprite = figure_image(figure_spec(character))
    left, top, right, ground = figure_box(index, count)
    shadow = ImageDraw.Draw(image, "RGBA")
    shadow.ellipse([left + 40, ground - 24, right - 40, ground + 16], fill=(0, 0, 20, 70))
    image.paste(sprite, (left, top), sprite)
    _label(ImageDraw.Draw(image), character.name, figure_x(index, count))


def _label(draw: Draw, name: str, centre_x: int) -> None:
    font = label_font()
    label = name if len(name) <= 18 else name[:17] + "…"
    width = draw.textlength(label, font=font)
    top = GROUND + 22
    draw.rounded_rectangle(
        [centre_x - width / 2 - 18, top, centre_x + width / 2 + 18, top + 62],
        radius=22,
        fill=(20, 20, 50),
    )
    draw.text((centre_x, top + 31), label, font=font, fill=(255, 244, 214), anchor="mm")


# --- the sky ---------------------------------------------------------------------
def _sky(draw: Draw, top: RGB, bottom: RGB, until: int = HORIZON) -> None:
    """From `top` down to `bottom` at `until`, and `bottom` below it."""
    for y in range(until):
        t = y / until
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (SIZE, y)], fill=colour)
    draw.rectangle([0, until, SIZE, SIZE], fill=bottom)


def _stars(draw: Draw, rng: random.Random, box: tuple[int, int, int, int], count: int) -> None:
    left, top, right, bottom = box
    for _ in range(count):
        x, y = rng.randrange(left, right), rng.randrange(top, bottom)
        r, glow = rng.choice((1, 1, 2, 2, 3)), rng.randrange(190, 256)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(glow, glow, rng.randrange(170, 230)))


def crescent(image: Image.Image, x: int, y: int, r: int) -> None:
    """A crescent moon with a soft glow: a disc with a smaller bite out of it."""
    box = (x - 3 * r, y - 3 * r, x + 3 * r, y + 3 * r)
    halo = Image.new("L", (6 * r, 6 * r))
    ImageDraw.Draw(halo).ellipse([r, r, 5 * r, 5 * r], fill=60)
    image.paste(_MOON, box, halo.filter(ImageFilter.GaussianBlur(r // 2)))
    mask = Image.new("L", (6 * r, 6 * r))
    shape = ImageDraw.Draw(mask)
    shape.ellipse([2 * r, 2 * r, 4 * r, 4 * r], fill=255)
    shape.ellipse([2 * r + r // 2, 2 * r - r // 4, 4 * r + r // 2, 4 * r - r // 4], fill=0)
    image.paste(_MOON, box, mask)


def _night(image: Image.Image, rng: random.Random, top: RGB, bottom: RGB) -> Draw:
    draw = ImageDraw.Draw(image)
    _sky(draw, top, bottom)
    _stars(draw, rng, (0, 0, SIZE, HORIZON - 60), 150)
    crescent(image, rng.randrange(140, SIZE - 140), rng.randrange(110, 230), 64)
    return draw


def _hills(draw: Draw, colour: RGB, light: RGB) -> None:
    draw.ellipse([-300, HORIZON - 60, 700, HORIZON + 560], fill=colour)
    draw.ellipse([350, HORIZON - 20, 1400, HORIZON + 600], fill=light)
    draw.rectangle([0, HORIZON + 200, SIZE, SIZE], fill=colour)


# --- the scenes ------------------------------------------------------------------
def _beach(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    _night(image, rng, (14, 18, 56), (82, 62, 128))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle([0, HORIZON - 70, SIZE, HORIZON + 120], fill=(26, 42, 96))
    for y in range(HORIZON - 60, HORIZON + 120, 16):
        x = rng.randrange(0, SIZE - 200)
        draw.line([(x, y), (x + rng.randrange(60, 220), y)], fill=(110, 132, 200), width=3)
    draw.rectangle([0, HORIZON + 120, SIZE, SIZE], fill=(206, 180, 128))
    draw.line([(0, HORIZON + 122), (SIZE, HORIZON + 122)], fill=(236, 236, 244), width=8)
    for _ in range(14):
        _shell(draw, rng.randrange(20, SIZE - 20), rng.randrange(HORIZON + 160, SIZE - 20), rng)
    for _ in range(4):
        _gull(draw, rng.randrange(60, SIZE - 60), rng.randrange(260, HORIZON - 120))
    if mentions(scene, "lighthouse"):
        _tower(draw, 900, HORIZON + 40, 0.6)


def _shell(draw: Draw, x: int, y: int, rng: random.Random) -> None:
    colour = rng.choice([(248, 214, 220), (250, 240, 230), (236, 190, 160)])
    draw.pieslice([x - 16, y - 14, x + 16, y + 18], 180, 360, fill=colour)
    for dx in (-8, 0, 8):
        draw.line([(x, y + 2), (x + dx, y - 12)], fill=(200, 150, 140), width=2)


def _gull(draw: Draw, x: int, y: int) -> None:
    draw.arc([x - 30, y, x, y + 24], 200, 340, fill=(230, 230, 240), width=4)
    draw.arc([x, y, x + 30, y + 24], 200, 340, fill=(230, 230, 240), width=4)


def _tower(draw: Draw, x: int, base: int, scale: float) -> None:
    h, w = int(420 * scale), int(60 * scale)
    top = base - h
    beam = [(x, top - int(25 * scale)), (x - 700, top - 110), (x - 700, top + 60)]
    draw.polygon(beam, fill=(255, 240, 170, 60))
    draw.polygon([(x - w, base), (x - w // 2, top), (x + w // 2, top), (x + w, base)], fill=_WHITE)
    for i in range(1, 4):
        y = top + i * h // 4
        draw.rectangle([x - w, y - int(18 * scale), x + w, y + int(18 * scale)], fill=(200, 60, 60))
    draw.rectangle([x - w // 2, top - int(50 * scale), x + w // 2, top], fill=(255, 226, 120))
    roof = top - int(50 * scale)
    draw.polygon([(x - w, roof), (x + w, roof), (x, roof - int(50 * scale))], fill=(200, 60, 60))


_WHITE = (240, 240, 236)


def _lighthouse(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    _night(image, rng, (12, 16, 50), (70, 60, 120))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle([0, HORIZON - 70, SIZE, SIZE], fill=(24, 40, 92))
    for y in range(HORIZON - 60, SIZE, 18):
        x = rng.randrange(0, SIZE - 200)
        draw.line([(x, y), (x + rng.randrange(60, 220), y)], fill=(100, 124, 190), width=3)
    draw.polygon([(560, SIZE), (700, HORIZON + 40), (860, HORIZON - 10), (SIZE, HORIZON + 20),
                  (SIZE, SIZE)], fill=(70, 66, 76))  # fmt: skip
    draw.ellipse([-200, GROUND - 80, 800, SIZE + 300], fill=(84, 80, 90))
    _tower(draw, 860, HORIZON + 10, 1.0)


def _snow(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    draw = _night(image, rng, (16, 24, 66), (90, 104, 160))
    _hills(draw, (214, 222, 242), (232, 238, 252))
    _snowman(draw, 120, GROUND - 30)
    for _ in range(160):
        x, y, r = rng.randrange(SIZE), rng.randrange(SIZE), rng.choice((2, 3, 4))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(248, 250, 255))


def _snowman(draw: Draw, x: int, base: int) -> None:
    draw.ellipse([x - 70, base - 130, x + 70, base], fill=(250, 250, 255), outline=(200, 210, 230))
    draw.ellipse([x - 50, base - 220, x + 50, base - 120], fill=(250, 250, 255))
    draw.polygon([(x, base - 175), (x + 40, base - 168), (x, base - 160)], fill=(240, 140, 50))
    for dx in (-16, 16):
        draw.ellipse([x + dx - 6, base - 196, x + dx + 6, base - 184], fill=(40, 30, 45))
    draw.rectangle([x - 52, base - 132, x + 52, base - 116], fill=(200, 60, 60))


def _garden(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    draw = _night(image, rng, (14, 20, 54), (74, 60, 120))
    _hills(draw, (32, 74, 54), (40, 86, 60))
    hedge = (-40, HORIZON - 30, SIZE + 40, HORIZON + 70)
    draw.rounded_rectangle(hedge, radius=50, fill=(22, 58, 40))
    _bench(draw, 880, GROUND - 40)
    for _ in range(24):
        _flower(draw, rng.randrange(20, SIZE - 20), rng.randrange(HORIZON + 110, SIZE - 20), rng)
    _fireflies(draw, rng, (0, HORIZON - 60, SIZE, HORIZON + 120), 22)


def _bench(draw: Draw, x: int, y: int) -> None:
    wood = (120, 80, 50)
    draw.rectangle([x - 110, y - 70, x + 110, y - 56], fill=wood)
    draw.rectangle([x - 110, y - 30, x + 110, y - 16], fill=wood)
    for dx in (-95, 85):
        draw.rectangle([x + dx, y - 70, x + dx + 10, y + 30], fill=(90, 60, 40))


def _flower(draw: Draw, x: int, y: int, rng: random.Random) -> None:
    draw.line([(x, y), (x, y + 30)], fill=(60, 140, 80), width=4)
    colour = rng.choice([(250, 200, 90), (240, 130, 170), (200, 80, 90), (250, 250, 250)])
    for dx, dy in ((-9, 0), (9, 0), (0, -9), (0, 9)):
        draw.ellipse([x + dx - 8, y + dy - 8, x + dx + 8, y + dy + 8], fill=colour)
    draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=(250, 220, 80))


def _fireflies(draw: Draw, rng: random.Random, box: tuple[int, int, int, int], count: int) -> None:
    left, top, right, bottom = box
    for _ in range(count):
        x, y = rng.randrange(left, right), rng.randrange(top, bottom)
        draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=(250, 240, 140))


def _forest(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    draw = _night(image, rng, (10, 18, 44), (50, 60, 100))
    _hills(draw, (20, 52, 42), (26, 62, 48))
    for x in sorted(rng.sample(range(0, SIZE, 36), 14)):
        height, base = rng.randrange(200, 340), HORIZON + rng.randrange(0, 50)
        draw.rectangle([x - 10, base - 20, x + 10, base + 30], fill=(60, 40, 30))
        draw.polygon([(x, base - height), (x - 70, base), (x + 70, base)], fill=(14, 40, 32))
    for _ in range(9):
        _mushroom(draw, rng.randrange(40, SIZE - 40), rng.randrange(HORIZON + 140, SIZE - 30))


def _mushroom(draw: Draw, x: int, y: int) -> None:
    draw.rectangle([x - 5, y, x + 5, y + 18], fill=(240, 230, 210))
    draw.pieslice([x - 18, y - 14, x + 18, y + 14], 180, 360, fill=(235, 120, 150))
    draw.ellipse([x - 6, y - 9, x - 1, y - 4], fill=(255, 250, 240))


def _bedroom(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, SIZE, SIZE], fill=(58, 52, 92))
    draw.rectangle([0, 700, SIZE, SIZE], fill=(110, 76, 56))
    for y in range(720, SIZE, 44):
        draw.line([(0, y), (SIZE, y)], fill=(96, 66, 48), width=3)
    window = (300, 90, 724, 470)
    sky = Image.new("RGB", (window[2] - window[0], window[3] - window[1]))
    sky_draw = ImageDraw.Draw(sky)
    _sky(sky_draw, (12, 16, 50), (60, 50, 110), sky.height)
    _stars(sky_draw, rng, (0, 0, sky.width, sky.height), 40)
    crescent(sky, rng.randrange(90, sky.width - 90), rng.randrange(80, 160), 46)
    image.paste(sky, window[:2])
    draw.rectangle(window, outline=(236, 226, 200), width=16)
    draw.line([(512, 90), (512, 470)], fill=(236, 226, 200), width=10)
    for x in (220, 724):
        draw.rectangle([x, 60, x + 80, 520], fill=(150, 90, 120))
    draw.ellipse([120, 820, 904, 990], fill=(170, 120, 150))
    draw.ellipse([60, 660, 170, 740], fill=(255, 226, 150))


def _meadow(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    draw = _night(image, rng, (16, 22, 60), (92, 80, 140))
    for _ in range(5):
        x, y = rng.randrange(0, SIZE), rng.randrange(HORIZON - 180, HORIZON - 40)
        for dx in (-50, 0, 50):
            draw.ellipse([x + dx - 60, y - 30, x + dx + 60, y + 30], fill=(150, 146, 196))
    _hills(draw, (48, 100, 62), (58, 114, 70))
    for _ in range(180):
        x, y = rng.randrange(SIZE), rng.randrange(HORIZON + 40, SIZE)
        draw.line([(x, y), (x + rng.randrange(-8, 9), y - 22)], fill=(80, 150, 80), width=3)
    _fireflies(draw, rng, (0, HORIZON - 20, SIZE, SIZE), 26)


def _open_night(image: Image.Image, rng: random.Random, scene: Entry) -> None:
    draw = _night(image, rng, (10, 12, 40), (60, 48, 110))
    _stars(draw, rng, (0, 0, SIZE, HORIZON), 80)
    _hills(draw, (34, 40, 70), (44, 50, 84))


_SCENES: dict[str, Callable[[Image.Image, random.Random, Entry], None]] = {
    "beach": _beach,
    "lighthouse": _lighthouse,
    "snow": _snow,
    "garden": _garden,
    "forest": _forest,
    "bedroom": _bedroom,
    "meadow": _meadow,
    "night": _open_night,
}
