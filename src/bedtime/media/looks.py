"""How each character is painted: written once by the text model, the first night the
character is painted by a model, then kept with the character in the catalog, so the
picture shows the same character every night."""

from __future__ import annotations

from collections.abc import Callable

from bedtime.core.observability import logger
from bedtime.providers import Describer, ProviderError
from bedtime.records.catalog import Entry

MAX_LOOK = 400


def with_looks(
    characters: tuple[Entry, Entry],
    describer: Describer,
    remember: Callable[[str, str], None],
) -> tuple[Entry, Entry]:
    """The characters, each with its look; a look that cannot be written tonight is left
    for tomorrow (the picture then uses the description)."""
    first, second = (_dressed(c, describer, remember) for c in characters)
    return first, second


def _dressed(character: Entry, describer: Describer, remember: Callable[[str, str], None]) -> Entry:
    if character.look:
        return character
    try:
        look = describer.look(character)[:MAX_LOOK]
    except ProviderError as error:
        logger.warning("no look written tonight", character=character.name, error=str(error))
        return character
    if not look:
        return character
    remember(character.name, look)
    return Entry(character.name, character.description, look)
