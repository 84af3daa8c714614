"""Unsubscribing one address from one family's email, by the signed link each email
carries (List-Unsubscribe, RFC 8058): the web function checks the link, records the
address in the family's item, and lets the same link undo it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bedtime.core.access import Keys
from bedtime.core.addresses import is_email_address
from bedtime.families.readers import ReaderSecrets
from bedtime.records.families import FAMILY_ID, Family, FamilyStore

PATH = "/unsubscribe"
ONE_CLICK = ("List-Unsubscribe", "One-Click")  # RFC 8058: the POST body a mail app sends


class BadLink(LookupError):
    """Not an unsubscribe link this site signed (or its family has gone)."""


@dataclass(frozen=True)
class Subscriber:
    """One address of one family, as its signed link names them."""

    family: Family
    address: str
    keys: Keys

    @property
    def stopped(self) -> bool:
        return self.address in self.family.unsubscribed

    @property
    def query(self) -> str:
        return self.keys.unsubscribe_query(self.address)


@dataclass(frozen=True)
class Mailing:
    """The family's emailing, as the web function reads and changes it."""

    secrets: ReaderSecrets
    families: FamilyStore

    def subscriber(self, query: dict[str, str]) -> Subscriber:
        family_id, address = query.get("family", ""), query.get("address", "").strip().lower()
        if not FAMILY_ID.fullmatch(family_id) or not is_email_address(address):
            raise BadLink()
        keys = self.secrets.keys(family_id)
        if keys is None or not keys.unsubscribe_valid(address, query.get("u", "")):
            raise BadLink()
        family = self.families.find(family_id)
        if family is None:
            raise BadLink()
        return Subscriber(family, address, keys)

    def change(self, subscriber: Subscriber, stop: bool) -> Subscriber:
        """Stop (or start again) this address's emails; the subscriber as it is now."""
        change = self.families.stop_emailing if stop else self.families.email_again
        family = self.families.find(subscriber.family.id)
        if family is None or not change(family.id, subscriber.address):
            raise BadLink()
        stopped = family.unsubscribed | {subscriber.address}
        if not stop:
            stopped -= {subscriber.address}
        return Subscriber(
            replace(family, unsubscribed=stopped), subscriber.address, subscriber.keys
        )

    def undo_links(self, family: Family) -> dict[str, str]:
        """Each unsubscribed address's own page, where it can start again."""
        keys = self.secrets.keys(family.id)
        if keys is None:
            return {}
        return {
            address: PATH + keys.unsubscribe_query(address)
            for address in sorted(family.unsubscribed)
        }


def one_click(form: dict[str, str]) -> bool:
    return form.get(ONE_CLICK[0]) == ONE_CLICK[1]
