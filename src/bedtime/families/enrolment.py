"""A family into a stack's tables (a deployed one, or the local run's), from its file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bedtime.families.family_file import FamilyCatalog
from bedtime.families.readers import ReaderSecrets
from bedtime.records.catalog import CatalogStore
from bedtime.records.families import FamilyStore


def enrol(dynamodb: Any, tables: Mapping[str, str], entry: FamilyCatalog, private: bool) -> None:
    """The family, its catalog and (on a private site) its reader secret, by the template's
    logical table names. Saving the family, last, tells the tick its time zone and sets its
    email subscriptions going (through the Families stream); its catalog is there by then,
    for a story asked for at once."""
    catalogs = CatalogStore(dynamodb, tables["CharactersTable"], tables["ScenesTable"])
    catalogs.replace(entry.family.id, entry.catalog)
    if private:
        ReaderSecrets(dynamodb, tables["FamiliesTable"]).ensure(entry.family.id)
    FamilyStore(dynamodb, tables["FamiliesTable"]).save(entry.family)
