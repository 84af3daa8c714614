"""`make seed` and `make family`: families and their catalogs into a stack's tables (or
the local run's). A file is checked whole before anything is written."""

from __future__ import annotations

from pathlib import Path

from bedtime.families.enrolment import enrol
from bedtime.families.family_file import FamilyCatalog, load_families
from bedtime.families.readers import NoReaderSecret, ReaderSecrets
from bedtime.records.catalog import CatalogStore
from bedtime.records.families import Family, FamilyStore, home_from_parameters
from bedtime.writing.canon import CanonStore
from bedtime_tools.target import Target


def read_file(target: Target, path: Path, bare_is_home: bool = True) -> tuple[FamilyCatalog, ...]:
    """The file's families; a bare catalog is the family `home`, set up as the target's
    template parameters say (time zone, bedtime, email...), unless not `bare_is_home`."""
    return load_families(path, home_from_parameters(target.parameters), bare_is_home)


def seed(target: Target, path: Path) -> str:
    entries = read_file(target, path)
    for entry in entries:
        save(target, entry)
    counted = ", ".join(entry.summary for entry in entries)
    return f"Seeded {target.description} from {path}: {counted}."


def save(target: Target, entry: FamilyCatalog) -> None:
    enrol(target.client("dynamodb"), target.names, entry, target.private)


class UnknownFamily(LookupError):
    def __init__(self, family_id: str, known: list[str]) -> None:
        super().__init__(
            f'There is no family "{family_id}"; the families are: {", ".join(known) or "none"}'
            " (ids are lowercase)"
        )


def families(target: Target) -> list[Family]:
    return FamilyStore(target.client("dynamodb"), target.names["FamiliesTable"]).all()


def remove(target: Target, family_id: str) -> None:
    """The family, its catalog and its story book; its email subscriptions follow
    (through the Families stream), the tick finds it no more, and its stories fade within
    two days. An id that is not a family's is refused, naming the ids there are."""
    dynamodb = target.client("dynamodb")
    known = [family.id for family in families(target)]
    if family_id not in known:
        raise UnknownFamily(family_id, known)
    FamilyStore(dynamodb, target.names["FamiliesTable"]).remove(family_id)
    CatalogStore(dynamodb, target.names["CharactersTable"], target.names["ScenesTable"]).remove(
        family_id
    )
    CanonStore(dynamodb, target.names["CanonTable"]).remove(family_id)


def rotate_secrets(target: Target, family_id: str, every_family: bool) -> list[str]:
    """A new reader secret for the family, or for every family; the ids rotated."""
    dynamodb = target.client("dynamodb")
    chosen = [f.id for f in families(target)] if every_family else [family_id]
    if not chosen:
        raise NoReaderSecret(f"There is no family in {target.description} yet.")
    secrets = ReaderSecrets(dynamodb, target.names["FamiliesTable"])
    for chosen_id in chosen:
        try:
            secrets.rotate(chosen_id)
        except NoReaderSecret as error:
            raise NoReaderSecret(
                f"Family {chosen_id} has no reader secret to replace: it is not in"
                f" {target.description} (`make family` lists them), or the site is public."
            ) from error
    return chosen
