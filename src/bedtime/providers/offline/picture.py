"""A painter that needs no network: tonight's scene and characters drawn with Pillow.

The scene is painted by kind (beach, lighthouse, snow, garden, forest, bedroom,
meadow, or the open night), with the things its description names, at dusk or at night;
each character in the shape of what it is (figures.py), in its described colours, with
its name beneath (labels.py). There is always a crescent moon, as in the words. Where
each one stands, and from which side the scene is seen, is tonight's (composition.py).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from bedtime.providers.offline.characters import words
from bedtime.providers.offline.composition import (
    SIZE,
    Composition,
    Placement,
    compose,
    is_dusk,
)
from bedtime.providers.offline.figures import figure_image, figure_spec
from bedtime.providers.offline.labels import draw_label
from bedtime.providers.offline.scenes import mentions, scene_kind
from bedtime.providers.offline.thing import draw_thing
from bedtime.records.briefs import PictureBrief
from bedtime.records.catalog import Entry

HORIZON = 640
GROUND = 900  # the scene's foreground, where its near things stand
RGB = tuple[int, int, int]
Draw = ImageDraw.ImageDraw
_MOON = (255, 244, 205)
_DUSK_HIGH = (96, 84, 150)  # a dusk sky, from high up to the warm horizon
_DUSK_LOW = (246, 168, 120)
_SUN = (255, 206, 130)


class OfflinePainter:
    name = "offline"

    def paint(self, brief: PictureBrief) -> bytes:
        rng = random.Random(brief.seed)
        frame = compose(brief)
        image = Image.new("RGB", (SIZE, SIZE))
        _SCENES[scene_kind(brief.scene)](image, rng, brief.scene, frame.dusk)
        _own_things(ImageDraw.Draw(image), rng, brief.scene)
        image = _framed(image, rng, frame)
        draw_thing(image, brief, frame)
        cast = brief.characters[:2]
        for placement, character in sorted(
            zip(frame.placements, cast, strict=False), key=lambda pair: pair[0].feet
        ):
            _stand(image, character, placement)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=6)
        return buffer.getvalue()


def described(brief: PictureBrief) -> str:
    """What the painter draws, for the picture's alt text: the two it stands in the
    scene, and dusk or night as it paints the sky (the same decision, `is_dusk`)."""
    names = " and ".join(character.name for character in brief.characters[:2])
    return f"{names} in {brief.scene.name}, {'at dusk' if is_dusk(brief) else 'at night'}."


def _framed(image: Image.Image, rng: random.Random, frame: Composition) -> Image.Image:
    """The scene seen from tonight's side, its horizon lowered by tonight's drop: the sky
    it leaves at the top is the sky's own top colour, with stars."""
    if frame.mirrored_scene:
        image = ImageOps.mirror(image)
    if not frame.drop:
        return image
    framed = Image.new("RGB", image.size, image.getpixel((0, 0)))
    framed.paste(image, (0, frame.drop))
    _stars(ImageDraw.Draw(framed), rng, (0, 0, SIZE, frame.drop), frame.drop // 4)
    return framed


def _stand(image: Image.Image, character: Entry, placement: Placement) -> None:
    sprite = figure_image(figure_spec(character), placement.size)
    if placement.mirrored:
        sprite = ImageOps.mirror(sprite)
    left, top, right, _ = placement.box
    inset, feet = placement.size // 7, placement.feet
    shadow = ImageDraw.Draw(image, "RGBA")
    shade = 70 - placement.hop // 2
    shadow.ellipse([left + inset, feet - 24, right - inset, feet + 16], fill=(0, 0, 20, shade))
    image.paste(sprite, (left, top), sprite)
    draw_label(ImageDraw.Draw(image), character.name, placement.x, feet)


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


def _night(image: Image.Image, rng: random.Random, top: RGB, bottom: RGB, dusk: bool) -> Draw:
    """The sky over a scene: its own night colours, or at dusk a sky that warms down to
    a setting sun, with the first few stars high up and the moon already out."""
    draw = ImageDraw.Draw(image)
    if dusk:
        _dusk(image, rng, HORIZON)
    else:
        _sky(draw, top, bottom)
        _stars(draw, rng, (0, 0, SIZE, HORIZON - 60), 150)
    crescent(image, rng.randrange(140, SIZE - 140), rng.randrange(110, 230), 64)
    return draw


def _dusk(image: Image.Image, rng: random.Random, horizon: int) -> None:
    draw = ImageDraw.Draw(image)
    _sky(draw, _DUSK_HIGH, _DUSK_LOW, horizon)
    _stars(draw, rng, (0, 0, image.width, horizon // 3), 25)
    x = rng.randrange(image.width // 5, image.width * 4 // 5)
    r = horizon // 5
    glow = Image.new("L", image.size)
    ImageDraw.Draw(glow).ellipse([x - 3 * r, horizon - 3 * r, x + 3 * r, horizon + 3 * r], fill=90)
    image.paste(_SUN, (0, 0), glow.filter(ImageFilter.GaussianBlur(r)))
    draw.ellipse([x - r, horizon - r, x + r, horizon + r], fill=_SUN)


def _hills(draw: Draw, colour: RGB, light: RGB) -> None:
    draw.ellipse([-300, HORIZON - 60, 700, HORIZON + 560], fill=colour)
    draw.ellipse([350, HORIZON - 20, 1400, HORIZON + 600], fill=light)
    draw.rectangle([0, HORIZON + 200, SIZE, SIZE], fill=colour)


# --- the scenes ------------------------------------------------------------------
def _beach(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    _night(image, rng, (14, 18, 56), (82, 62, 128), dusk)
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


def _lighthouse(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    _night(image, rng, (12, 16, 50), (70, 60, 120), dusk)
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle([0, HORIZON - 70, SIZE, SIZE], fill=(24, 40, 92))
    for y in range(HORIZON - 60, SIZE, 18):
        x = rng.randrange(0, SIZE - 200)
        draw.line([(x, y), (x + rng.randrange(60, 220), y)], fill=(100, 124, 190), width=3)
    draw.polygon([(560, SIZE), (700, HORIZON + 40), (860, HORIZON - 10), (SIZE, HORIZON + 20),
                  (SIZE, SIZE)], fill=(70, 66, 76))  # fmt: skip
    draw.ellipse([-200, GROUND - 80, 800, SIZE + 300], fill=(84, 80, 90))
    _tower(draw, 860, HORIZON + 10, 1.0)


def _snow(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    draw = _night(image, rng, (16, 24, 66), (90, 104, 160), dusk)
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


def _garden(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    draw = _night(image, rng, (14, 20, 54), (74, 60, 120), dusk)
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


def _forest(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    draw = _night(image, rng, (10, 18, 44), (50, 60, 100), dusk)
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


def _bedroom(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, SIZE, SIZE], fill=(58, 52, 92))
    draw.rectangle([0, 700, SIZE, SIZE], fill=(110, 76, 56))
    for y in range(720, SIZE, 44):
        draw.line([(0, y), (SIZE, y)], fill=(96, 66, 48), width=3)
    window = (300, 90, 724, 470)
    sky = Image.new("RGB", (window[2] - window[0], window[3] - window[1]))
    sky_draw = ImageDraw.Draw(sky)
    if dusk:
        _dusk(sky, rng, sky.height)
    else:
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


def _meadow(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    draw = _night(image, rng, (16, 22, 60), (92, 80, 140), dusk)
    for _ in range(5):
        x, y = rng.randrange(0, SIZE), rng.randrange(HORIZON - 180, HORIZON - 40)
        for dx in (-50, 0, 50):
            draw.ellipse([x + dx - 60, y - 30, x + dx + 60, y + 30], fill=(150, 146, 196))
    _hills(draw, (48, 100, 62), (58, 114, 70))
    for _ in range(180):
        x, y = rng.randrange(SIZE), rng.randrange(HORIZON + 40, SIZE)
        draw.line([(x, y), (x + rng.randrange(-8, 9), y - 22)], fill=(80, 150, 80), width=3)
    _fireflies(draw, rng, (0, HORIZON - 20, SIZE, SIZE), 26)


def _open_night(image: Image.Image, rng: random.Random, scene: Entry, dusk: bool) -> None:
    draw = _night(image, rng, (10, 12, 40), (60, 48, 110), dusk)
    if not dusk:
        _stars(draw, rng, (0, 0, SIZE, HORIZON), 80)
    _hills(draw, (34, 40, 70), (44, 50, 84))


# --- the scene's own things: what its description names, whatever its kind -------
_WATER = {"river", "lake", "pond", "canal", "stream", "boat", "houseboat", "raft"}
_BOAT = {"boat", "houseboat", "raft", "canoe", "barge"}
_FIRE = {"cabin", "fire", "fireplace", "hearth", "hut", "campfire"}
_VEGETABLES = {"vegetable", "vegetables", "carrot", "carrots", "beans", "cabbages", "pumpkins"}


def _own_things(draw: Draw, rng: random.Random, scene: Entry) -> None:
    """A boat on water, a cabin with its fire lit, rows of vegetables: the things the
    scene's description names, behind where the characters stand."""
    said = set(words(f"{scene.name} {scene.description}".lower()))
    if said & _WATER:
        _river(draw, rng)
    if said & _BOAT:
        _boat(draw, rng.randrange(80, SIZE - 420), HORIZON + 70)
    if said & _FIRE:
        _cabin(draw, rng.randrange(60, SIZE - 360), HORIZON + 40)
    if said & _VEGETABLES:
        _vegetable_rows(draw, rng)


def _river(draw: Draw, rng: random.Random) -> None:
    draw.rectangle([0, HORIZON + 30, SIZE, HORIZON + 170], fill=(36, 66, 120))
    for _ in range(40):
        x, y = rng.randrange(SIZE), rng.randrange(HORIZON + 40, HORIZON + 160)
        draw.line([(x, y), (x + rng.randrange(20, 60), y)], fill=(120, 160, 210), width=3)


def _boat(draw: Draw, x: int, water: int) -> None:
    """A houseboat: a hull on the water, a little house with a lit window on it."""
    draw.polygon(
        [(x, water - 40), (x + 340, water - 40), (x + 300, water + 10), (x + 40, water + 10)],
        fill=(120, 70, 40),
    )
    draw.rectangle([x + 70, water - 130, x + 270, water - 40], fill=(190, 150, 100))
    draw.polygon(
        [(x + 55, water - 130), (x + 170, water - 190), (x + 285, water - 130)], fill=(150, 50, 50)
    )
    draw.rectangle([x + 110, water - 105, x + 160, water - 65], fill=(255, 220, 120))


def _cabin(draw: Draw, x: int, base: int) -> None:
    """A log cabin with smoke from its chimney and the fire glowing in its window."""
    draw.rectangle([x, base - 170, x + 300, base], fill=(110, 70, 40))
    for y in range(base - 160, base, 26):
        draw.line([(x, y), (x + 300, y)], fill=(80, 50, 30), width=4)
    draw.polygon(
        [(x - 20, base - 170), (x + 150, base - 280), (x + 320, base - 170)], fill=(70, 40, 30)
    )
    draw.rectangle([x + 220, base - 300, x + 260, base - 220], fill=(90, 60, 50))
    draw.rectangle([x + 60, base - 120, x + 150, base - 50], fill=(255, 150, 50))
    draw.polygon(
        [(x + 80, base - 50), (x + 105, base - 105), (x + 130, base - 50)], fill=(255, 220, 90)
    )


def _vegetable_rows(draw: Draw, rng: random.Random) -> None:
    """Rows of earth with carrot tops and cabbages, going back to the horizon."""
    for row, y in enumerate(range(HORIZON + 20, HORIZON + 200, 45)):
        draw.rectangle([0, y, SIZE, y + 22], fill=(92, 60, 40))
        for x in range(20 + 30 * (row % 2), SIZE, 60):
            if rng.random() < 0.5:
                draw.polygon([(x, y + 4), (x + 8, y + 30), (x + 16, y + 4)], fill=(240, 130, 40))
                draw.line([(x + 8, y + 4), (x + 8, y - 16)], fill=(70, 160, 70), width=5)
            else:
                draw.ellipse([x, y - 8, x + 28, y + 18], fill=(110, 180, 100))


_SCENES: dict[str, Callable[[Image.Image, random.Random, Entry, bool], None]] = {
    "beach": _beach,
    "lighthouse": _lighthouse,
    "snow": _snow,
    "garden": _garden,
    "forest": _forest,
    "bedroom": _bedroom,
    "meadow": _meadow,
    "night": _open_night,
}
