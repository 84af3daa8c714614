"""The time the system lives by: the wall clock, or, in a local run with CLOCK_SPEED,
a clock that runs faster, so a whole evening across time zones passes in a minute.

Only the local run sets it (BEDTIME_CLOCK = "<origin epoch>:<speed>"): from that real
moment on, each real second counts as `speed` seconds.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

VARIABLE = "BEDTIME_CLOCK"


def now() -> datetime:
    return datetime.fromtimestamp(timestamp(), UTC)


def timestamp() -> float:
    real = time.time()
    setting = os.environ.get(VARIABLE)
    if not setting:
        return real
    origin, speed = (float(part) for part in setting.split(":"))
    return origin + (real - origin) * speed


def fast_clock(speed: float, origin: float | None = None) -> str:
    """The BEDTIME_CLOCK value for a clock running `speed` times faster from now."""
    return f"{time.time() if origin is None else origin}:{speed}"
