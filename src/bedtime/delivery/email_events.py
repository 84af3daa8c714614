"""What SES tells us after sending: a hard bounce or a complaint (the configuration set's
event destination puts each on the account's default EventBridge bus). The address is
marked suppressed in the family's item, so it gets no more of that family's email, and
the operator sees it in the log. SES's account-level suppression list (kept on for
bounces and complaints by the configuration set) already stops SendEmail's delivery to
it for every family: this makes it visible, and keeps the family's page true."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bedtime.core.observability import logger
from bedtime.records.families import FAMILY_ID, SUPPRESSED, FamilyStore

BOUNCED, COMPLAINED = "Email Bounced", "Email Complaint Received"  # EventBridge detail-types


@dataclass(frozen=True)
class Suppression:
    family: str
    address: str
    reason: str  # "bounce" or "complaint"


def suppressions(event: dict[str, Any]) -> list[Suppression]:
    """The addresses an SES event says to stop: each recipient of a permanent bounce,
    each complainer; none for a transient bounce (SES retried and may still deliver)."""
    detail = event.get("detail") or {}
    tags = (detail.get("mail") or {}).get("tags") or {}
    family = next(iter(tags.get("family") or []), "")
    if not FAMILY_ID.fullmatch(family):
        return []
    if event.get("detail-type") == BOUNCED:
        bounce = detail.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        recipients, reason = bounce.get("bouncedRecipients") or [], "bounce"
    elif event.get("detail-type") == COMPLAINED:
        recipients, reason = (
            (detail.get("complaint") or {}).get("complainedRecipients") or [],
            "complaint",
        )
    else:
        return []
    return [
        Suppression(family, str(r["emailAddress"]).strip().lower(), reason)
        for r in recipients
        if isinstance(r, dict) and r.get("emailAddress")
    ]


def suppress(event: dict[str, Any], families: FamilyStore) -> list[str]:
    """Mark each address suppressed in its family's item; the addresses marked."""
    marked = []
    for found in suppressions(event):
        if families.stop_emailing(found.family, found.address, SUPPRESSED):
            logger.warning(
                "email address suppressed",
                family=found.family,
                address=found.address,
                reason=found.reason,
            )
            marked.append(found.address)
    return marked
