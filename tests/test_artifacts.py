"""Each function's requirements cover every library its code can import in the cloud."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from helpers import ROOT

SRC = ROOT / "src"
RUNTIME = {"boto3", "botocore"}  # the python3.13 Lambda runtime ships these
DISTRIBUTIONS = {"PIL": "pillow", "aws_lambda_powertools": "aws-lambda-powertools"}
# Each handler, and the modules it imports lazily when the template's settings choose them
# (the offline voice is not among them: it has no arm64 wheel).
FUNCTIONS = {
    "create-story": [
        "bedtime.handlers.create_story",
        "bedtime.providers.openai",
        "bedtime.providers.bedrock",
        "bedtime.providers.offline.story",
    ],
    "illustrate": [
        "bedtime.handlers.illustrate",
        "bedtime.providers.openai",
        "bedtime.providers.bedrock",
        "bedtime.providers.offline.picture",
    ],
    "narrate": ["bedtime.handlers.narrate", "bedtime.providers.polly", "bedtime.providers.openai"],
    "web": ["bedtime.handlers.web", "bedtime.site"],
}


def module_path(module: str) -> Path:
    base = SRC / Path(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def imports(module: str) -> set[str]:
    """The modules a file imports when it is imported (its top-level imports)."""
    found = set()
    for node in ast.parse(module_path(module).read_text()).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def third_party(modules: list[str]) -> set[str]:
    seen, pending, libraries = set(), list(modules), set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        for name in imports(module):
            top = name.split(".")[0]
            if top == "bedtime":
                if module_path(name).exists():
                    pending.append(name)
            elif top not in sys.stdlib_module_names and top != "__future__":
                libraries.add(top)
    return libraries


def requirements(name: str) -> set[str]:
    lines = (ROOT / "requirements" / f"{name}.txt").read_text().splitlines()
    return {line.split("==")[0].lower() for line in lines if line and not line.startswith("#")}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_requirements_cover_what_the_function_imports(function) -> None:
    needed = {DISTRIBUTIONS.get(lib, lib).lower() for lib in third_party(FUNCTIONS[function])}
    assert needed - RUNTIME <= requirements(function)


def test_the_web_function_needs_no_model_clients() -> None:
    assert not third_party(FUNCTIONS["web"]) & {"openai", "PIL", "pronouncing", "lameenc"}
