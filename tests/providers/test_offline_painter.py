"""The offline painter: the scene it was given, each character in its own shape and its
described colours, names in letters the font really has, a crescent moon, dusk when the
scene says so, and each night framed its own way."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageFont, ImageOps, ImageStat

from bedtime.providers.offline.characters import COLOURS
from bedtime.providers.offline.composition import SIZE, compose
from bedtime.providers.offline.figures import figure_image, figure_spec
from bedtime.providers.offline.labels import (
    FONT,
    LABEL_SIZE,
    LABEL_SMALLEST,
    LABEL_WIDTH,
    label_box,
    label_font,
    label_layout,
)
from bedtime.providers.offline.picture import HORIZON, OfflinePainter
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


def brief(
    scene: Entry, seed: int = 1, cast: tuple[Entry, ...] = (HEDGEHOG, OWL), title: str = "Title"
) -> PictureBrief:
    return PictureBrief(title, cast, scene, "Once upon a night", seed)


def paint(
    scene: Entry, seed: int = 1, cast: tuple[Entry, ...] = (HEDGEHOG, OWL), title: str = "Title"
) -> Image.Image:
    png = OfflinePainter().paint(brief(scene, seed, cast, title))
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


@pytest.mark.parametrize("name", ["Zoë", "Юля", "Ana-María's cat Miso"])
def test_a_name_is_written_under_its_figure(name) -> None:
    cast = (Entry(name, "a girl"), OWL)
    picture = paint(SCENES["beach"], cast=cast)
    placement = compose(brief(SCENES["beach"], cast=cast)).placements[0]
    box = tuple(round(v) for v in label_box(name, placement.x, placement.feet))
    ink = picture.crop(box).getcolors(SIZE * SIZE)
    assert max(ink)[1] == (20, 20, 50)  # the label's own box
    assert any(colour == (255, 244, 214) for _, colour in ink)  # and the name on it


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
    """Wherever tonight puts them, and whichever way they face, it is the same figure."""
    for seed, scene in ((1, SCENES["garden"]), (2, SCENES["snow"])):
        picture = paint(scene, seed=seed)
        placements = compose(brief(scene, seed)).placements
        front = max(placements, key=lambda p: p.feet)  # the other may stand behind it
        for character, placement in zip((HEDGEHOG, OWL), placements, strict=True):
            assert figure_spec(character) == figure_spec(Entry("Other", character.description))
            sprite = figure_image(figure_spec(character), placement.size)
            if placement.mirrored:
                sprite = ImageOps.mirror(sprite)
            solid = sprite.getchannel("A").point(lambda a: 255 if a == 255 else 0)
            if placement is front:
                drawn = Image.new("RGB", sprite.size)
                drawn.paste(picture.crop(placement.box), mask=solid)
                alone = Image.new("RGB", sprite.size)
                alone.paste(sprite.convert("RGB"), mask=solid)
                assert ImageChops.difference(drawn, alone).getbbox() is None
            assert ImageStat.Stat(solid).mean[0] > 40  # a real figure, not an empty square


KINDS = (
    "a hedgehog", "an owl", "a bear", "a cat", "a dog", "a rabbit", "a fox", "a girl",
    "a dragon", "a robot", "a bumblebee",
)  # fmt: skip


@pytest.mark.parametrize("description", KINDS)
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


@pytest.mark.parametrize(
    "name", ["Ana-María's cat Miso", "Mr Bumble, a fat fuzzy bumblebee", "Alexandrina-Wilhelmina"]
)
def test_a_long_name_s_label_shrinks_or_wraps_and_is_never_cut(name) -> None:
    lines, size = label_layout(name)
    assert " ".join(lines) == name
    assert LABEL_SMALLEST <= size <= LABEL_SIZE and len(lines) <= 2
    assert all(label_font(size).getlength(line) <= LABEL_WIDTH for line in lines)


@pytest.mark.parametrize("count", [0, 1])
def test_a_picture_of_one_or_of_no_character_is_painted(count) -> None:
    cast = (HEDGEHOG, OWL)[:count]
    assert len(compose(brief(SCENES["garden"], cast=cast)).placements) == count
    paint(SCENES["garden"], cast=cast)


def test_a_short_name_s_label_stays_one_line_at_full_size() -> None:
    assert label_layout("Pip") == (("Pip",), LABEL_SIZE)


def changed_share(first: Image.Image, second: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The share of the box's pixels that differ between the two pictures."""
    difference = ImageChops.difference(first.crop(box), second.crop(box)).convert("L")
    changed = sum(difference.point(lambda v: 255 if v > 24 else 0).histogram()[255:])
    return changed / (difference.width * difference.height)


@pytest.mark.parametrize(
    ("own", "plain"),
    [
        (
            Entry("the Willow Houseboat", "a houseboat on a slow river"),
            Entry("the Willow", "a hilltop"),
        ),
        (
            Entry("the Snowy Cabin", "a snowy cabin with a warm fire"),
            Entry("the Snowy Hill", "a snowy hill"),
        ),
        (
            Entry("the Vegetable Garden", "a vegetable garden with carrots and beans"),
            Entry("the Garden", "a garden"),
        ),
    ],
)
def test_the_scene_s_own_things_are_drawn_behind_the_characters(own, plain) -> None:
    """A boat on the river, the cabin with its fire, rows of vegetables: where a scene of
    the same kind without them has its plain ground."""
    assert scene_kind(own) == scene_kind(plain)
    band = (0, HORIZON - 200, SIZE, HORIZON + 170)
    assert changed_share(paint(own), paint(plain), band) > 0.08


@pytest.mark.parametrize(
    "names",
    [("Pip", "Luna"), ("Ana-María's cat Miso", "Mr Bumble, a fat fuzzy bumblebee"), ("Zoë", "Юля")],
)
def test_every_night_s_framing_keeps_both_labels_whole_and_apart(names) -> None:
    for seed in range(200):
        cast = tuple(Entry(name, "a cat") for name in names)
        frame = compose(brief(SCENES["garden"], seed, cast, title=f"Night {seed}"))
        placed = zip(names, frame.placements, strict=True)
        boxes = [label_box(name, p.x, p.feet) for name, p in placed]
        for left, top, right, bottom in boxes:
            assert min(left, top) >= 0 and max(right, bottom) <= SIZE, (seed, boxes)
        (_, _, first_right, _), (second_left, _, _, _) = sorted(boxes)
        assert first_right < second_left, (seed, boxes)
