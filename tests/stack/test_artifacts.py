"""Each function's requirements cover every library its code can import in the cloud."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bedtime_bench.coldstart import python313
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
    "web": [
        "bedtime.handlers.web",
        "bedtime.site.reading",
        "bedtime.site.pages",
        "bedtime.site.light_aws",
    ],
    "families": ["bedtime.handlers.families"],
    "notify": ["bedtime.handlers.notify", "bedtime.providers.offline.picture"],
    "tick": ["bedtime.handlers.tick"],
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


def imported(modules: list[str]) -> set[str]:
    """The top-level names of everything the modules import, following our own modules."""
    seen, pending, names = set(), list(modules), set()
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
            elif top != "__future__":
                names.add(top)
    return names


def third_party(modules: list[str]) -> set[str]:
    return {name for name in imported(modules) if name not in sys.stdlib_module_names}


def requirements(name: str) -> set[str]:
    lines = (ROOT / "requirements" / f"{name}.txt").read_text().splitlines()
    return {line.split("==")[0].lower() for line in lines if line and not line.startswith("#")}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_requirements_cover_what_the_function_imports(function) -> None:
    needed = {DISTRIBUTIONS.get(lib, lib).lower() for lib in third_party(FUNCTIONS[function])}
    assert needed - RUNTIME <= requirements(function)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_that_reads_a_time_zone_ships_the_iana_database(function) -> None:
    """Python docs, "zoneinfo — IANA time zone support": with no system time zone data
    (Lambda's base images have shipped without /usr/share/zoneinfo), ZoneInfo falls back
    to the first-party tzdata package, or fails on every family's zone."""
    if "zoneinfo" in imported(FUNCTIONS[function]):
        assert "tzdata" in requirements(function)


def test_the_web_function_needs_no_model_clients_no_powertools_and_no_botocore() -> None:
    heavy = {"openai", "PIL", "pronouncing", "lameenc", "aws_lambda_powertools", "pydantic"}
    heavy |= {"boto3", "botocore"}  # the web function signs its own calls (light_aws)
    assert not third_party(FUNCTIONS["web"]) & heavy


# --- what `sam build` ships --------------------------------------------------------
BUILD = ROOT / ".aws-sam" / "build"
ARTIFACTS = [
    "CreateStoryFunction",
    "IllustrateFunction",
    "NarrateFunction",
    "WebFunction",
    "FamiliesFunction",
    "NotifyFunction",
    "TickFunction",
]
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked
MAGIC_313 = (3571).to_bytes(2, "little") + b"\r\n"  # importlib.util.MAGIC_NUMBER of 3.13


def built(function: str) -> Path:
    artifact = BUILD / function
    if not artifact.is_dir():
        pytest.skip("no build here: `make build` (make test runs it first)")
    if python313() is None:
        pytest.skip("no Python 3.13 on this machine: the build ships without bytecode")
    return artifact


def bytecode_of(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"


@pytest.mark.build
@pytest.mark.parametrize("function", ARTIFACTS)
def test_every_module_in_the_artifact_ships_python_313_bytecode(function) -> None:
    """Lambda's /var/task is read-only: without shipped .pyc files, Python compiles every
    module it imports at every cold start."""
    artifact = built(function)
    sources = list(artifact.rglob("*.py"))
    assert sources
    missing = [str(s.relative_to(artifact)) for s in sources if not bytecode_of(s).exists()]
    assert not missing, missing[:10]
    for source in sources[:50]:
        header = bytecode_of(source).read_bytes()[:8]
        assert header[:4] == MAGIC_313, source
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, source


@pytest.mark.build
def test_the_web_artifact_imports_only_compiled_modules_and_no_heavy_libraries() -> None:
    """Import the web handler from the artifact alone (without the runtime's boto3): every
    module that comes from the artifact has its bytecode, the templates come precompiled,
    and neither botocore, Powertools nor a model client is loaded."""
    artifact = built("WebFunction")
    code = (
        "import sys, json, bedtime.handlers.web, bedtime.site.reading, bedtime.site.pages;"
        "env = bedtime.site.pages.template_environment(); env.get_template('story.html');"
        "modules = {n: getattr(m, '__file__', None) for n, m in sys.modules.items()};"
        "print(json.dumps({'loader': type(env.loader).__name__, 'modules': modules}))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env={"PYTHONPATH": str(artifact), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["loader"] == "ModuleLoader"  # templates precompiled by the build
    modules = found["modules"]
    assert not {name.split(".")[0] for name in modules} & {
        "aws_lambda_powertools",
        "boto3",
        "botocore",
        "openai",
        "pydantic",
        "PIL",
        "asyncio",
    }
    from_artifact = [Path(f) for f in modules.values() if f and f.startswith(str(artifact))]
    sources = [f for f in from_artifact if f.suffix == ".py"]
    assert sources and all(bytecode_of(f).exists() for f in sources)


@pytest.mark.build
def test_the_writer_ships_no_setuptools_and_grades_drafts_without_it() -> None:
    """textstat declares setuptools, which it imports only on Python < 3.9; the build
    leaves it out, and the readability check still works from the artifact alone."""
    artifact = built("CreateStoryFunction")
    assert not list(artifact.glob("setuptools*")) and not (artifact / "pkg_resources").exists()
    code = "import textstat; print(textstat.flesch_kincaid_grade('The cat sat on the mat.'))"
    result = subprocess.run(
        [str(python313()), "-S", "-c", code],
        env={"PYTHONPATH": str(artifact), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(result.stdout) < 3


@pytest.mark.build
@pytest.mark.parametrize("function", ARTIFACTS)
def test_every_artifact_fits_lambdas_deployment_package_quota(function) -> None:
    """Lambda developer guide, "Lambda quotas": a deployment package is at most 250 MB
    unzipped (the 50 MB zipped quota is for direct uploads; sam deploy goes through S3)."""
    from bedtime_bench.bench import UNZIPPED_QUOTA_MB

    artifact = built(function)
    unzipped = sum(path.stat().st_size for path in artifact.rglob("*") if path.is_file())
    assert unzipped < UNZIPPED_QUOTA_MB * 1e6


def test_the_bench_uses_the_python_313_the_build_was_told_to(monkeypatch) -> None:
    monkeypatch.setenv("PYTHON313", "/opt/python3.13/bin/python3.13")
    assert python313() == "/opt/python3.13/bin/python3.13"
