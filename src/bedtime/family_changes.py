"""When a family is added, changed or removed, its schedules and email subscriptions
follow: read from the Families table's stream, with no polling."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bedtime.bedtimes import FamilySchedules
from bedtime.families import Family, family_from, is_family
from bedtime.subscriptions import EmailSubscriptions, families_by_email


def follow(
    old_image: dict[str, Any] | None,
    new_image: dict[str, Any] | None,
    schedules: FamilySchedules,
    subscriptions: EmailSubscriptions,
    every_family: Callable[[], Iterable[Family]],
) -> None:
    """Bring the schedules and subscriptions in line with one change to one family."""
    old, new = _family(old_image), _family(new_image)
    if new and (old is None or (old.time_zone, old.bedtime) != (new.time_zone, new.bedtime)):
        schedules.put(new)
    if old and new is None:
        schedules.remove(old.id)
    changed = set(old.emails if old else ()) ^ set(new.emails if new else ())
    if changed:
        family_id = (new or old).id  # type: ignore[union-attr]  # one of them, as emails changed
        others = [family for family in every_family() if family.id != family_id]
        wanted = families_by_email([*others, *([new] if new else [])])
        subscriptions.sync({email: wanted.get(email.strip().lower(), set()) for email in changed})


def _family(image: dict[str, Any] | None) -> Family | None:
    """A family, from an item that is one (an item with only a reader secret is not yet)."""
    return family_from(image) if image and is_family(image) else None
