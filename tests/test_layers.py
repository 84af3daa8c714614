"""The package's shape (docs/architecture.md): each step of the night in its own package,
and no module importing from a layer above its own. bedtime ships to Lambda; the local
run, the laptop tools and the measuring tools sit above it and never ship."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers import ROOT

SRC = ROOT / "src"
# Lowest first: a module may import from its own layer and the layers below it.
LAYERS = (
    ("bedtime.core",),
    ("bedtime.records",),
    ("bedtime.providers",),
    ("bedtime.families",),
    ("bedtime.writing",),
    ("bedtime.media",),
    ("bedtime.delivery",),
    ("bedtime.site",),
    ("bedtime.handlers", "bedtime.services"),
    ("bedtime_local",),
    ("bedtime_tools",),
    ("bedtime_bench",),
)
MOST_TOP_LEVEL_ENTRIES = 11


def layer_of(module: str) -> int:
    for rank, packages in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in packages):
            return rank
    raise LookupError(f"{module} is in no layer: add its package to LAYERS")


def imported(source: str, package: str) -> set[str]:
    """Every module a source imports, wherever the import sits (in functions and
    TYPE_CHECKING blocks too); `from bedtime import services` imports bedtime.services."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in ("bedtime", package):
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return {name for name in found if name.split(".")[0].startswith("bedtime")}


def upward_imports(module: str, source: str) -> list[str]:
    package = module.rsplit(".", 1)[0]
    rank = layer_of(module)
    return sorted(name for name in imported(source, package) if layer_of(name) > rank)


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SRC.glob("bedtime*/**/*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name != "bedtime":
            found[name] = path
    return found


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_imports_from_a_layer_above_its_own(module: str) -> None:
    assert upward_imports(module, modules()[module].read_text()) == []


def test_an_import_from_above_is_found_wherever_it_sits() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from bedtime import services\n"
        "if TYPE_CHECKING:\n"
        "    from bedtime.site.pages import Page\n"
        "def later():\n"
        "    import bedtime_local.runner\n"
    )
    found = upward_imports("bedtime.writing.tonight", source)
    assert found == ["bedtime.services", "bedtime.site.pages", "bedtime_local.runner"]


def test_each_package_says_what_lives_there_and_what_it_may_import() -> None:
    for init in SRC.glob("bedtime*/**/__init__.py"):
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring, f"{init.relative_to(ROOT)} has no docstring"


def test_the_shipped_package_has_a_short_top_level() -> None:
    entries = [p.name for p in (SRC / "bedtime").iterdir() if p.name != "__pycache__"]
    assert len(entries) <= MOST_TOP_LEVEL_ENTRIES, sorted(entries)
