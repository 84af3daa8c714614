"""The offline painter: the scene it was given, each character in its own shape, names
in letters the font really has, and a crescent moon."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageChops, ImageFont, ImageStat

from bedtime.providers.offline.characters import COLOURS
from bedtime.providers.offline.figures import figure_image, figure_spec
from bedtime.providers.offline.picture import (
    FONT,
    OfflinePainter,
    figure_box,
    label_font,
)
from bedtime.providers.offline.scenes import scene_kind
from bedtime.records.briefs import PictureBrief
from bedtime.records.catalog import Entry

HEDGEHOG = Entry("Pip", "a small brave hedgehog who carries a lantern")
OWL = Entry("Luna", "a sleepy owl with silver feathers")
SCENES = {
    "beach": Entry("Moonlit Bay", "a calm sea beach with soft sand"),
    "snow": Entry("Snowy Hill", "a hill of fresh snow"),
    "garden": Entry("the Starlight Garden", "a garden where flowers open at night"),
    "forest": Entry("the Whispering Woods", "a quiet forest of tall pines"),
    "bedroom": Entry("the Attic", "a cosy bedroom under the roof"),
    "lighthouse": Entry("Lighthouse Point", "a lighthouse on the rocks"),
    "night": Entry("Somewhere", "far away"),
}


def paint(scene: Entry, seed: int = 1, cast: tuple[Entry, ...] = (HEDGEHOG, OWL)) -> Image.Image:
    png = OfflinePainter().paint(PictureBrief("Title", cast, scene, "Once upon a night", seed))
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1024, 1024))
    return image.convert("RGB")


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> list[str]:
    """The characters the font draws as its missing-glyph box (.notdef)."""
    notdef = font.getmask("\U0010fffd")  # a private-use character no font draws
    blank = bytes(notdef)
    return [c for c in text if c.strip() and bytes(font.getmask(c)) == blank]


@pytest.mark.parametrize("name", ["Zoë", "Ana-María", "Юля"])
def test_names_are_written_in_a_font_that_has_their_letters(name) -> None:
    assert label_font().path == str(FONT) and FONT.is_file()
    assert (FONT.parent / "LICENSE").read_text().count("Bitstream Vera") >= 2
    assert missing_glyphs(label_font(), name) == []


def test_the_glyph_check_catches_a_font_without_the_letters() -> None:
    assert missing_glyphs(ImageFont.load_default(size=44), "Юля") == list("Юля")


def test_a_name_is_written_under_its_figure() -> None:
    zoe = paint(SCENES["beach"], cast=(Entry("Zoë", "a girl"), OWL))
    ana = paint(SCENES["beach"], cast=(Entry("Юля", "a girl"), OWL))
    left, _, right, bottom = figure_box(0, 2)
    label = (left, bottom + 20, right, bottom + 90)
    assert ImageChops.difference(zoe.crop(label), ana.crop(label)).getbbox()


@pytest.mark.parametrize("kind", SCENES)
def test_each_scene_is_read_from_its_name_and_description(kind) -> None:
    assert scene_kind(SCENES[kind]) == kind


def test_the_picture_shows_which_scene_it_is() -> None:
    pictures = {kind: paint(scene) for kind, scene in SCENES.items()}
    kinds = list(pictures)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1 :]:
            diff = ImageStat.Stat(ImageChops.difference(pictures[a], pictures[b])).mean
            assert sum(diff) / 3 > 8, (a, b, diff)
    ground = (0, 960, 120, 1024)  # a corner no character stands in
    snow, beach, garden = (
        sum(ImageStat.Stat(pictures[k].crop(ground)).mean) for k in ("snow", "beach", "garden")
    )
    assert snow > beach > garden


def test_the_same_animal_is_drawn_the_same_way_every_night() -> None:
    monday = paint(SCENES["garden"], seed=1)
    tuesday = paint(SCENES["snow"], seed=2)
    for index, character in enumerate((HEDGEHOG, OWL)):
        assert figure_spec(character) == figure_spec(Entry("Other", character.description))
        sprite = figure_image(figure_spec(character))
        solid = sprite.getchannel("A").point(lambda a: 255 if a == 255 else 0)
        box = figure_box(index, 2)
        on_monday = Image.new("RGB", sprite.size)
        on_monday.paste(monday.crop(box), mask=solid)
        on_tuesday = Image.new("RGB", sprite.size)
        on_tuesday.paste(tuesday.crop(box), mask=solid)
        assert ImageChops.difference(on_monday, on_tuesday).getbbox() is None
        assert ImageStat.Stat(solid).mean[0] > 40  # a real figure, not an empty square


@pytest.mark.parametrize(
    "description",
    ["a hedgehog", "an owl", "a bear", "a cat", "a dog", "a rabbit", "a fox", "a girl", "a dragon"],
)
def test_each_kind_has_its_own_shape(description) -> None:
    spec = figure_spec(Entry("X", description))
    others = [figure_spec(Entry("X", d)) for d in ("a hedgehog", "an owl", "a fox")]
    sprite = figure_image(spec).tobytes()
    assert sum(figure_image(o).tobytes() == sprite for o in others) <= 1


def test_what_a_character_wears_and_its_colour_come_from_its_description() -> None:
    fox = figure_spec(Entry("Tilly", "a curious fox cub with a blue scarf"))
    assert fox.shape == "fox" and ("scarf", COLOURS["blue"]) in fox.wears
    assert figure_spec(Entry("Smoke", "a grey cat")).body == COLOURS["grey"]
    assert figure_spec(Entry("Luna", "an owl with silver feathers")).body == COLOURS["silver"]
    assert [w for w, _ in figure_spec(HEDGEHOG).wears] == ["lantern"]
    assert ("boots", COLOURS["red"]) in figure_spec(Entry("Zoë", "a girl in red boots")).wears


def test_the_moon_is_always_a_crescent() -> None:
    moon = (255, 244, 205)
    for kind in ("beach", "bedroom"):
        picture = paint(SCENES[kind], seed=5)
        away = ImageChops.difference(picture, Image.new("RGB", picture.size, moon))
        lit = away.convert("L").point(lambda v: 255 if v == 0 else 0)
        left, top, right, bottom = lit.getbbox()
        area = lit.histogram()[255]
        assert 2000 < area < 0.6 * (right - left) * (bottom - top)  # a disc fills ~0.79


def test_a_picture_is_painted_quickly() -> None:
    paint(SCENES["forest"])
    started = time.perf_counter()
    paint(SCENES["forest"], seed=9)
    assert time.perf_counter() - started < 0.5
