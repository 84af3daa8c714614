"""How tonight's picture is framed: the same cast in the same place, arranged anew each
night.

The arrangement is drawn from the story itself (its seed and its title, which names the
night's plot), so a story always gets the same picture and the next night's differs:
who stands on which side, who is near (bigger, lower) and who is further back, which way
each one faces, whether one of them hops; the scene seen from the other side or not, its
horizon higher or lower; dusk when the scene or the title says so, else night.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bedtime.providers.offline.characters import words
from bedtime.providers.offline.labels import label_box
from bedtime.records.briefs import PictureBrief

SIZE = 1024
NEAR = (310, 360)  # a figure's size, near and further back
FAR = (230, 290)
SHOTS = (0.85, 1.0, 1.2)  # wide, middle and close: how large tonight's two are drawn
MARGIN = 8  # between a label and the picture's edge
MOST_DROP = 40  # how far the horizon may sit below where the scene painted it: no more,
# or a river (down to 810) would reach the feet of the one further back
DUSK_WORDS = {"dusk", "sunset", "sundown", "evening", "twilight", "teatime", "dusky"}


@dataclass(frozen=True)
class Placement:
    x: int  # the figure's centre
    feet: int  # where its feet touch the ground, when it is not hopping
    size: int  # its square's side
    mirrored: bool  # facing the other way from how it is drawn
    hop: int = 0  # how far above the ground it is

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Where the figure is pasted: left, top, right, bottom."""
        left, bottom = self.x - self.size // 2, self.feet - self.hop
        return left, bottom - self.size, left + self.size, bottom


@dataclass(frozen=True)
class Composition:
    placements: tuple[Placement, ...]  # in the brief's cast order
    mirrored_scene: bool
    drop: int  # how far the whole scene is lowered: a lower horizon, more sky
    dusk: bool


def is_dusk(brief: PictureBrief) -> bool:
    """Dusk when the scene or the title names the evening; else full night. The story's
    opening is not read: every offline story opens with the evening coming."""
    said = words(f"{brief.scene.name} {brief.scene.description} {brief.title}")
    return bool(DUSK_WORDS & set(said))


def compose(brief: PictureBrief) -> Composition:
    rng = random.Random(f"{brief.seed}:{brief.title}")
    names = [character.name for character in brief.characters[:2]]
    placements = _two(rng, names) if len(names) == 2 else _one(rng, names[:1])
    return Composition(
        placements=placements,
        mirrored_scene=rng.random() < 0.5,
        drop=rng.randrange(0, MOST_DROP + 1, 10),
        dusk=is_dusk(brief),
    )


def _one(rng: random.Random, names: list[str]) -> tuple[Placement, ...]:
    if not names:
        return ()
    size = round(rng.randrange(*NEAR) * rng.choice(SHOTS))
    feet = _feet_for(names[0], rng.randrange(860, 911))
    return (Placement(rng.randrange(330, SIZE - 330), feet, size, rng.random() < 0.5),)


def _two(rng: random.Random, names: list[str]) -> tuple[Placement, ...]:
    """One near and one further back, each on a side, far enough apart that neither their
    figures nor their labels overlap."""
    near, shot = rng.randrange(2), rng.choice(SHOTS)
    sizes = [round(rng.randrange(*FAR) * shot), round(rng.randrange(*FAR) * shot)]
    sizes[near] = round(rng.randrange(*NEAR) * shot)
    feet = [_feet_for(name, rng.randrange(850, 876)) for name in names]
    feet[near] = _feet_for(names[near], rng.randrange(890, 926))
    left = rng.randrange(2)  # who stands on the left
    order = (left, 1 - left)
    half = [_half_width(names[i], sizes[i], feet[i]) for i in order]
    lowest, highest = half[0] + MARGIN, SIZE - half[1] - MARGIN
    apart = max(half[0] + half[1] + 24, (sizes[0] + sizes[1]) * 2 // 5)
    if highest - lowest < apart:  # no room to move: the usual places
        xs = [SIZE // 2 - 212, SIZE // 2 + 212]
    else:
        first = rng.randrange(lowest, highest - apart + 1)
        xs = [first, rng.randrange(first + apart, highest + 1)]
    x = {who: xs[side] for side, who in enumerate(order)}
    faces = [rng.random() < 0.3, rng.random() < 0.7]  # mostly towards each other
    hop = [0, 0]
    if rng.random() < 0.35:
        hop[rng.randrange(2)] = rng.randrange(25, 56)
    return tuple(
        Placement(x[i], feet[i], sizes[i], faces[order.index(i)], hop[i]) for i in range(2)
    )


def _feet_for(name: str, wanted: int) -> int:
    """As low as wanted, but high enough that the name's label fits under the feet."""
    _, _, _, bottom = label_box(name, 0, wanted)
    return wanted - max(0, int(bottom) - (SIZE - MARGIN))


def _half_width(name: str, size: int, feet: int) -> int:
    left, _, right, _ = label_box(name, 0, feet)
    return int(max(right - left, size * 0.8) / 2) + 1
