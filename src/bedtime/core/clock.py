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
    return at(time.time())


def at(real: float) -> datetime:
    """The clock's time at a wall-clock moment (before the clock sped up: the same)."""
    return datetime.fromtimestamp(timestamp(real), UTC)


def timestamp(real: float | None = None) -> float:
    real = time.time() if real is None else real
    setting = os.environ.get(VARIABLE)
    if not setting:
        return real
    origin, speed = (float(part) for part in setting.split(":"))
    return origin + max(0.0, real - origin) * speed + min(0.0, real - origin)


def fast_clock(speed: float, origin: float | None = None) -> str:
    """The BEDTIME_CLOCK value for a clock running `speed` times faster from now."""
    return f"{time.time() if origin is None else origin}:{speed}"
