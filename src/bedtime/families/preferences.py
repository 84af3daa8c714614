"""Which characters and scenes come round more often: the family's ratings tilt the
choice, and a scene used in the last nights rests a little, so the nights vary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from bedtime.records.briefs import PastNight

PER_RATING = 2.0  # each "We loved it" doubles a name's chance; each "Not for us" halves it
LIMITS = (0.125, 8.0)
RESTING_NIGHTS = 2
RESTING_WEIGHT = 0.3


def weights(every_night: Iterable[PastNight], recent: Sequence[PastNight]) -> dict[str, float]:
    """A weight per character and scene name (1 for names never rated or used)."""
    score: dict[str, int] = defaultdict(int)
    for night in every_night:
        for name in (*night.characters, night.scene):
            score[name] += night.rating
    low, high = LIMITS
    chosen = {name: min(high, max(low, PER_RATING**total)) for name, total in score.items()}
    for night in recent[:RESTING_NIGHTS]:
        chosen[night.scene] = chosen.get(night.scene, 1.0) * RESTING_WEIGHT
    return chosen
