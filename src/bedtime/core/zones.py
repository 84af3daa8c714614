"""Time zones by their IANA names, and the names closest to a mistyped one."""

from __future__ import annotations

import difflib
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class UnknownZone(ValueError):
    """`label` is how the zone was given (`"timeZone" 'Europe/Pari'`): the message says it
    is no IANA zone, and names the closest zones there are."""

    def __init__(self, name: object, label: str) -> None:
        close = difflib.get_close_matches(str(name), sorted(available_timezones()), n=3)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        super().__init__(f"{label} is not an IANA time zone.{hint}")


def zone_named(name: object, label: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(name, label) from None
