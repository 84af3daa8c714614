"""A painter that needs no network: a night scene drawn with Pillow."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from bedtime.briefs import PictureBrief

SIZE = 1024
HORIZON = 700
Draw = ImageDraw.ImageDraw


class OfflinePainter:
    name = "offline"

    def paint(self, brief: PictureBrief) -> bytes:
        rng = random.Random(brief.seed)
        image = Image.new("RGB", (SIZE, SIZE))
        draw = ImageDraw.Draw(image)
        _sky(draw)
        _stars(draw, rng)
        _moon(image, rng)
        _setting(f"{brief.scene.name} {brief.scene.description}")(draw, rng)
        for index, character in enumerate(brief.characters[:2]):
            _figure(draw, character.name, centre_x=330 + index * 370, rng=rng)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


def _sky_colour(y: int) -> tuple[int, ...]:
    top, bottom, t = (12, 16, 48), (70, 52, 120), min(y / HORIZON, 1.0)
    return tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))


def _sky(draw: Draw) -> None:
    for y in range(SIZE):
        draw.line([(0, y), (SIZE, y)], fill=_sky_colour(y))


def _stars(draw: Draw, rng: random.Random) -> None:
    for _ in range(140):
        x, y, r = rng.randrange(SIZE), rng.randrange(HORIZON - 80), rng.choice((1, 1, 2, 3))
        glow = rng.randrange(190, 256)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(glow, glow, rng.randrange(170, 230)))


def _moon(image: Image.Image, rng: random.Random) -> None:
    x, y, r = rng.randrange(140, SIZE - 140), rng.randrange(90, 220), 70
    halo = Image.new("L", image.size)
    ImageDraw.Draw(halo).ellipse([x - 2 * r, y - 2 * r, x + 2 * r, y + 2 * r], fill=70)
    image.paste((255, 240, 200), mask=halo.filter(ImageFilter.GaussianBlur(40)))
    draw = ImageDraw.Draw(image)
    draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, 246, 210))
    draw.ellipse([x - r + 28, y - r - 8, x + r + 28, y + r - 8], fill=_sky_colour(y))


def _hills(draw: Draw, colour: tuple[int, int, int]) -> None:
    draw.ellipse([-300, HORIZON - 80, 700, HORIZON + 500], fill=colour)
    draw.ellipse([350, HORIZON - 40, 1400, HORIZON + 560], fill=tuple(c + 12 for c in colour))
    draw.rectangle([0, HORIZON + 150, SIZE, SIZE], fill=colour)


def _forest(draw: Draw, rng: random.Random) -> None:
    _hills(draw, (22, 58, 48))
    for x in sorted(rng.sample(range(0, SIZE, 40), 12)):
        height = rng.randrange(180, 320)
        base = HORIZON + rng.randrange(-10, 40)
        draw.polygon([(x, base - height), (x - 60, base), (x + 60, base)], fill=(16, 44, 36))
    for _ in range(10):
        x, y = rng.randrange(40, SIZE - 40), rng.randrange(HORIZON + 120, SIZE - 40)
        draw.ellipse([x - 14, y - 10, x + 14, y + 4], fill=(230, 120, 150))
        draw.rectangle([x - 3, y + 4, x + 3, y + 16], fill=(240, 230, 210))


def _sea(draw: Draw, rng: random.Random) -> None:
    draw.rectangle([0, HORIZON - 60, SIZE, HORIZON + 120], fill=(28, 44, 96))
    for y in range(HORIZON - 50, HORIZON + 120, 18):
        x = rng.randrange(0, SIZE - 200)
        draw.line([(x, y), (x + rng.randrange(60, 200), y)], fill=(120, 140, 200), width=2)
    draw.rectangle([0, HORIZON + 120, SIZE, SIZE], fill=(196, 170, 120))
    draw.rectangle([880, HORIZON - 260, 930, HORIZON - 40], fill=(236, 236, 236))
    draw.polygon(
        [(870, HORIZON - 260), (940, HORIZON - 260), (905, HORIZON - 300)], fill=(200, 60, 60)
    )


def _snow(draw: Draw, rng: random.Random) -> None:
    _hills(draw, (206, 214, 236))
    for _ in range(120):
        x, y = rng.randrange(SIZE), rng.randrange(SIZE)
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(245, 245, 255))


def _clouds(draw: Draw, rng: random.Random) -> None:
    _hills(draw, (60, 110, 80))
    for _ in range(6):
        x, y = rng.randrange(0, SIZE), rng.randrange(HORIZON - 120, HORIZON + 40)
        for dx in (-60, 0, 60):
            draw.ellipse([x + dx - 70, y - 40, x + dx + 70, y + 40], fill=(200, 200, 232))


def _garden(draw: Draw, rng: random.Random) -> None:
    _hills(draw, (30, 70, 52))
    for _ in range(26):
        x, y = rng.randrange(20, SIZE - 20), rng.randrange(HORIZON + 60, SIZE - 20)
        draw.line([(x, y), (x, y + 30)], fill=(60, 140, 80), width=4)
        colour = rng.choice([(250, 200, 90), (240, 130, 170), (160, 170, 250), (250, 250, 250)])
        for dx, dy in ((-9, 0), (9, 0), (0, -9), (0, 9)):
            draw.ellipse([x + dx - 8, y + dy - 8, x + dx + 8, y + dy + 8], fill=colour)
        draw.ellipse([x - 5, y - 5, x + 5, y + 5], fill=(250, 220, 80))


def _meadow(draw: Draw, rng: random.Random) -> None:
    _hills(draw, (40, 84, 60))


_SETTINGS: list[tuple[tuple[str, ...], Callable[[Draw, random.Random], None]]] = [
    (("wood", "forest", "tree", "jungle"), _forest),
    (("sea", "bay", "beach", "ocean", "lake", "shore"), _sea),
    (("snow", "ice", "winter", "frost"), _snow),
    (("cloud", "sky"), _clouds),
    (("garden", "flower", "park"), _garden),
]


def _setting(scene: str) -> Callable[[Draw, random.Random], None]:
    words = scene.lower()
    return next((paint for keys, paint in _SETTINGS if any(k in words for k in keys)), _meadow)


def _colour(name: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(name.encode()).digest()
    return (120 + digest[0] % 120, 90 + digest[1] % 120, 80 + digest[2] % 140)


def _figure(draw: Draw, name: str, centre_x: int, rng: random.Random) -> None:
    colour, ground = _colour(name), HORIZON + 220
    dark = tuple(c // 2 for c in colour)
    draw.ellipse([centre_x - 95, ground - 190, centre_x + 95, ground], fill=colour)
    head_y = ground - 250
    for side in (-1, 1):
        ear_x = centre_x + side * 55
        draw.ellipse([ear_x - 30, head_y - 95, ear_x + 30, head_y - 25], fill=dark)
    draw.ellipse([centre_x - 85, head_y - 80, centre_x + 85, head_y + 80], fill=colour)
    for side in (-1, 1):
        eye_x = centre_x + side * 32
        draw.arc(
            [eye_x - 16, head_y - 12, eye_x + 16, head_y + 12], 20, 160, fill=(30, 20, 40), width=6
        )
        draw.ellipse([eye_x - 18, head_y + 22, eye_x + 2, head_y + 38], fill=(250, 160, 170))
    draw.arc(
        [centre_x - 22, head_y + 16, centre_x + 22, head_y + 46],
        20,
        160,
        fill=(30, 20, 40),
        width=5,
    )
    font = ImageFont.load_default(size=44)
    label = name if len(name) <= 18 else name[:17] + "…"
    width = draw.textlength(label, font=font)
    draw.rounded_rectangle(
        [centre_x - width / 2 - 18, ground + 22, centre_x + width / 2 + 18, ground + 86],
        radius=20,
        fill=(20, 20, 50),
    )
    draw.text((centre_x - width / 2, ground + 30), label, font=font, fill=(255, 244, 214))
    if rng.random() < 0.5:
        draw.ellipse(
            [centre_x + 80, ground - 120, centre_x + 120, ground - 80], fill=(255, 220, 120)
        )
