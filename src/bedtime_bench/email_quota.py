"""The night's email against Amazon SES's sending quotas: how many a day, and how many a
second in the busiest minute of bedtimes (SES Developer Guide, "Service quotas in
Amazon SES"; quotas count recipients, and each address is one message here).

The sandbox's quotas are published: 200 a day, 1 a second. A production account's
starting quota "varies based on your specific use case"; this uses the start accounts
have commonly been given, 50,000 a day and 14 a second. Both are raised in Service
Quotas (Amazon SES: "Sending quota", "Maximum send rate") or from the SES console."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

ADDRESSES_PER_FAMILY = 2  # a parent or two; a grandparent's address is one more


@dataclass(frozen=True)
class SendingQuota:
    name: str
    per_day: int
    per_second: float


SANDBOX = SendingQuota("the SES sandbox", 200, 1)
PRODUCTION_START = SendingQuota("a new production SES account (typical)", 50_000, 14)
FIX = {
    "per_day": 'Service Quotas, Amazon SES, "Sending quota" (emails a 24-hour period)',
    "per_second": 'Service Quotas, Amazon SES, "Maximum send rate" (emails a second)',
    "sandbox": "leave the sandbox: SES console, Account dashboard, Request production access",
}


@dataclass(frozen=True)
class EmailLoad:
    families: int
    per_day: int
    busiest_minute: int  # emails whose bedtime falls in the busiest minute

    @property
    def peak_per_second(self) -> float:
        return self.busiest_minute / 60


def email_load(bedtimes: Iterable[datetime], addresses: int = ADDRESSES_PER_FAMILY) -> EmailLoad:
    """One email per address at each family's bedtime (bedtimes fall on the minute)."""
    minutes = Counter(bedtime.replace(second=0, microsecond=0) for bedtime in bedtimes)
    families = sum(minutes.values())
    busiest = max(minutes.values(), default=0)
    return EmailLoad(families, families * addresses, busiest * addresses)


def binding(load: EmailLoad, quota: SendingQuota) -> str | None:
    """Which of the quota's two limits the night exceeds first ("per_day" when both do,
    as a day's quota is spent before the rate matters); None when neither binds."""
    if load.per_day > quota.per_day:
        return "per_day"
    if load.peak_per_second > quota.per_second:
        return "per_second"
    return None


def email_lines(load: EmailLoad) -> list[str]:
    lines = [
        f"Email (SES): {load.per_day:,} a night ({ADDRESSES_PER_FAMILY} addresses a family), "
        f"{load.peak_per_second:.1f} a second in the busiest minute of bedtimes"
    ]
    for quota in (SANDBOX, PRODUCTION_START):
        limit = binding(load, quota)
        limits = f"{quota.per_day:,} a day, {quota.per_second:g} a second"
        if limit is None:
            lines.append(f"  {quota.name} ({limits}): fits")
            continue
        fix = FIX["sandbox"] if quota is SANDBOX else FIX[limit]
        what = "the daily sending quota" if limit == "per_day" else "the maximum send rate"
        lines.append(f"  {quota.name} ({limits}): {what} binds first; fix: {fix}")
    return lines
