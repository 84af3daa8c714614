"""When a family is added, changed or removed, its email subscriptions follow, the tick
learns its time zone, and a family that arrives (or moves its bedtime) after tonight's
make time gets tonight's story at once: read from the Families table's stream."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from bedtime.families.subscriptions import EmailSubscriptions, families_by_email
from bedtime.families.tick import TickState, WorkQueues, late_work
from bedtime.records.families import Family, family_from, is_family


def follow(
    old_image: dict[str, Any] | None,
    new_image: dict[str, Any] | None,
    tick: tuple[TickState, WorkQueues],
    subscriptions: EmailSubscriptions,
    every_family: Callable[[], Iterable[Family]],
    now: datetime,
    lead: timedelta,
) -> None:
    """Bring the tick and the subscriptions in line with one change to one family."""
    old, new = _family(old_image), _family(new_image)
    if new and (old is None or (old.time_zone, old.bedtime) != (new.time_zone, new.bedtime)):
        state, queues = tick
        state.add_zone(new.time_zone.key)
        queues.send(late_work(new, now, lead))
    changed = set(old.emails if old else ()) ^ set(new.emails if new else ())
    if changed:
        family_id = (new or old).id  # type: ignore[union-attr]  # one of them, as emails changed
        others = [family for family in every_family() if family.id != family_id]
        wanted = families_by_email([*others, *([new] if new else [])])
        subscriptions.sync({email: wanted.get(email.strip().lower(), set()) for email in changed})


def _family(image: dict[str, Any] | None) -> Family | None:
    """A family, from an item that is one (an item with only a reader secret is not yet)."""
    return family_from(image) if image and is_family(image) else None
