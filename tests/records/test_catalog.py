"""Catalog files: what is refused, with what message; and nothing half-written."""

from __future__ import annotations

import json
import random

import pytest

from bedtime import services
from bedtime.records.catalog import CatalogError, load_catalog, parse_catalog


def entry(name: str, description: str = "a friend") -> dict:
    return {"name": name, "description": description}


GOOD = {"characters": [entry("Pip"), entry("Luna")], "scenes": [entry("the Woods")]}


def test_default_catalog_loads() -> None:
    catalog = load_catalog()
    assert len(catalog.characters) >= 2 and catalog.scenes


def test_pick_chooses_two_different_characters_and_a_scene() -> None:
    catalog = parse_catalog(GOOD)
    (first, second), scene = catalog.pick(random.Random(1))
    assert {first.name, second.name} == {"Pip", "Luna"}
    assert scene.name == "the Woods"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"scenes": GOOD["scenes"]}, '"characters" must be a list of at least 2'),
        ({**GOOD, "characters": [entry("Pip")]}, "at least 2"),
        ({**GOOD, "scenes": []}, '"scenes" must be a list of at least 1'),
        (
            {**GOOD, "characters": [entry("Pip"), {"name": "Luna"}]},
            'characters[1] needs a non-empty "description"',
        ),
        ({**GOOD, "characters": [entry("Pip"), entry("pip")]}, 'the name "pip" appears twice'),
        ({**GOOD, "characters": [entry("Pip"), entry("L" * 61)]}, "keep it under 60"),
        ({**GOOD, "scenes": ["the Woods"]}, "scenes[0] must be an object"),
    ],
)
def test_bad_catalogs_are_refused_with_what_to_fix(data, message) -> None:
    with pytest.raises(CatalogError) as error:
        parse_catalog(data)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pip\x07", "U+0007"),
        ("Pip\x1b[31m", "U+001B"),
        ("Pip\ufffe", "U+FFFE"),
        ("P\ufdd0", "U+FDD0"),
    ],
)
def test_control_and_noncharacters_are_refused_with_their_code(text, code) -> None:
    with pytest.raises(CatalogError) as error:
        parse_catalog({**GOOD, "characters": [entry(text), entry("Luna")]})
    assert code in str(error.value) and "characters[0]" in str(error.value)


def test_a_lone_surrogate_from_a_json_escape_is_refused(tmp_path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(GOOD).replace("Luna", "Lu\\ud800na"))
    with pytest.raises(CatalogError, match="U\\+D800"):
        load_catalog(path)


def test_accents_and_other_scripts_are_welcome() -> None:
    catalog = parse_catalog({**GOOD, "characters": [entry("Zoë"), entry("Юля")]})
    assert [c.name for c in catalog.characters] == ["Zoë", "Юля"]


def test_files_that_are_not_utf8_or_json_are_refused(tmp_path) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps(GOOD).replace("Pip", "P\u00efp").encode("latin-1"))
    with pytest.raises(CatalogError, match="not UTF-8"):
        load_catalog(latin)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(broken)
    with pytest.raises(CatalogError, match="no such file"):
        load_catalog(tmp_path / "missing.json")


def test_replace_makes_the_tables_hold_exactly_the_catalog(aws) -> None:
    store = services.catalog_store()
    store.replace("home", load_catalog())
    store.replace("home", parse_catalog(GOOD))
    store.replace("away", load_catalog())
    loaded = store.load("home")
    assert {c.name for c in loaded.characters} == {"Pip", "Luna"}
    assert [s.name for s in loaded.scenes] == ["the Woods"]


def test_make_seed_refuses_a_bad_catalog_before_touching_aws(tmp_path, capsys, monkeypatch) -> None:
    from bedtime_tools import __main__ as tools

    def no_aws(*args, **kwargs):
        raise AssertionError("AWS was called for a catalog that cannot be used")

    monkeypatch.setattr(tools, "stack_target", no_aws)
    bad = tmp_path / "catalog.json"
    bad.write_text(json.dumps({**GOOD, "characters": [entry("Pip"), entry("Pip")]}))
    assert tools.main(["seed", "--catalog", str(bad)]) == 2
    assert 'the name "Pip" appears twice' in capsys.readouterr().err


def test_make_seed_replaces_the_deployed_catalog(aws, monkeypatch, capsys) -> None:
    import boto3

    from bedtime_tools import __main__ as tools
    from bedtime_tools.target import Target

    def the_stack(stack: str) -> Target:
        names = {
            "CharactersTable": "CharactersTable",
            "ScenesTable": "ScenesTable",
            "FamiliesTable": "FamiliesTable",
        }
        return Target(f"stack {stack}", boto3.client, names, ask=print, local=False)

    def nothing_local(port):
        return None

    monkeypatch.setattr(tools, "local_target", nothing_local)

    monkeypatch.setattr(tools, "stack_target", the_stack)
    assert tools.main(["seed"]) == 0
    assert "home (6 characters, 5 scenes)" in capsys.readouterr().out
    assert len(services.catalog_store().load("home").characters) == 6
    assert services.reader_secrets().keys("home") is not None  # the family's secret, made
