"""`make seed`: load a catalog file into a deployed stack's tables, all or nothing."""

from __future__ import annotations

from pathlib import Path

from bedtime.catalog import CatalogStore, load_catalog
from bedtime.readers import HOME, ReaderSecrets
from bedtime.tools.target import Target


def seed(target: Target, catalog_path: Path) -> str:
    catalog = load_catalog(catalog_path)  # all of it is checked before anything is written
    store = CatalogStore(
        target.client("dynamodb"), target.names["CharactersTable"], target.names["ScenesTable"]
    )
    store.replace(catalog)
    if target.private:
        ReaderSecrets(target.client("dynamodb"), target.names["FamiliesTable"]).ensure(HOME)
    return (
        f"Seeded {target.description}: {len(catalog.characters)} characters and"
        f" {len(catalog.scenes)} scenes from {catalog_path}."
    )
