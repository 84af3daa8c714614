"""The name under each figure, in DejaVu Sans, which has the letters of most names
(Zoë, Ana-María, Юля): shrunk, or wrapped onto two lines, to fit; never cut short."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

FONT = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"
LABEL_SIZE = 44
LABEL_SMALLEST = 26
LABEL_WIDTH = 380  # two labels side by side fit the picture's width
_PAD = 18  # around the words, inside the label's box
_LEADING = 8
_BELOW = 22  # from a figure's feet to its label


@cache
def label_font(size: int = LABEL_SIZE) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


@cache
def label_layout(name: str) -> tuple[tuple[str, ...], int]:
    """The name's label as lines and a font size that fit LABEL_WIDTH: one line, shrunk as
    far as LABEL_SMALLEST; else two lines split at a space; never cut short."""
    sizes = range(LABEL_SIZE, LABEL_SMALLEST - 1, -2)
    ways: list[tuple[str, ...]] = [(name,)]
    parts = name.split(" ")
    ways += [(" ".join(parts[:i]), " ".join(parts[i:])) for i in range(1, len(parts))]
    for lines in ways:
        for size in sizes:
            if max(label_font(size).getlength(line) for line in lines) <= LABEL_WIDTH:
                return lines, size
    widest = min(
        ways, key=lambda lines: max(label_font(LABEL_SMALLEST).getlength(x) for x in lines)
    )
    return widest, LABEL_SMALLEST


def label_box(name: str, centre_x: float, feet: int) -> tuple[float, float, float, float]:
    """Where the name's label sits under feet standing at `feet`: left, top, right, bottom."""
    lines, size = label_layout(name)
    width = max(label_font(size).getlength(line) for line in lines)
    top = feet + _BELOW
    height = _PAD + (size + _LEADING) * len(lines)
    return centre_x - width / 2 - _PAD, top, centre_x + width / 2 + _PAD, top + height


def draw_label(draw: ImageDraw.ImageDraw, name: str, centre_x: float, feet: int) -> None:
    lines, size = label_layout(name)
    font = label_font(size)
    left, top, right, bottom = label_box(name, centre_x, feet)
    draw.rounded_rectangle([left, top, right, bottom], radius=22, fill=(20, 20, 50))
    step = size + _LEADING
    for row, line in enumerate(lines):
        at = (centre_x, top + _PAD / 2 + step * row + step / 2)
        draw.text(at, line, font=font, fill=(255, 244, 214), anchor="mm")
