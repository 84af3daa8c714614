"""The first story page after a cold start, as shipped: a fresh Python 3.13 process that
imports the web handler from the built artifact and answers one function URL event,
timed from process start against two floors, all three taken turn about against the
same local stack: a fresh process doing one GetItem and two presigns with boto3, and
the same with the standard library alone (the web function's light_aws, nothing else).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

FLOOR = """
import os
import shutil
import boto3
from botocore.config import Config
dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
dynamodb.get_item(TableName=os.environ["STORIES_TABLE"], Key={"id": {"S": os.environ["STORY"]}})
for name in ("picture.png", "narration.mp3"):
    s3.generate_presigned_url(
        "get_object", Params={"Bucket": os.environ["MEDIA_BUCKET"], "Key": name}, ExpiresIn=3600
    )
"""
STDLIB_FLOOR = """
import os
from bedtime.site.light_aws import light_client
dynamodb = light_client("dynamodb")
s3 = light_client("s3")
dynamodb.get_item(TableName=os.environ["STORIES_TABLE"], Key={"id": {"S": os.environ["STORY"]}})
for name in ("picture.png", "narration.mp3"):
    s3.generate_presigned_url(
        "get_object", Params={"Bucket": os.environ["MEDIA_BUCKET"], "Key": name}, ExpiresIn=3600
    )
"""
SHIPPED = """
import json, os, sys
from bedtime.handlers.web import handler
response = handler(json.loads(os.environ["EVENT"]), None)
assert response["statusCode"] == 200, response["statusCode"]
top = {name.split(".")[0] for name in sys.modules if not name.startswith("_")}
print(" ".join(sorted(top - set(sys.stdlib_module_names) - set(sys.builtin_module_names))))
"""


@dataclass(frozen=True)
class ColdPage:
    floor_ms: float  # boto3
    stdlib_floor_ms: float
    shipped_ms: float
    runs: int
    interpreter: str
    packages: tuple[str, ...]  # the top-level packages, not the standard library's, loaded

    @property
    def ratio(self) -> float:
        return self.shipped_ms / self.floor_ms

    @property
    def stdlib_ratio(self) -> float:
        return self.shipped_ms / self.stdlib_floor_ms


def _timed(python: str, code: str, path: list[Path], env: dict[str, str]) -> tuple[float, str]:
    """Milliseconds from process start to exit, and what the process printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-S", "-c", code],
        env=env | {"PYTHONPATH": os.pathsep.join(map(str, path))},
        check=True,
        capture_output=True,
        text=True,
    )
    return (time.perf_counter() - started) * 1000, done.stdout


def cold_first_page(
    python: str, artifact: Path, runtime: Path, event: dict, story_id: str, runs: int = 9
) -> ColdPage:
    """Median of `runs` of each, taken turn about so all see the same noisy moments.
    The artifact runs without boto3 on its path: an import of it would fail the page."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env |= {"EVENT": json.dumps(event), "STORY": story_id}
    floor, stdlib_floor, shipped = [], [], []
    printed = ""
    for _ in range(runs):
        floor.append(_timed(python, FLOOR, [runtime], env)[0])
        stdlib_floor.append(_timed(python, STDLIB_FLOOR, [artifact], env)[0])
        took, printed = _timed(python, SHIPPED, [artifact], env)
        shipped.append(took)
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return ColdPage(
        statistics.median(floor),
        statistics.median(stdlib_floor),
        statistics.median(shipped),
        runs,
        version,
        tuple(printed.split()),
    )


def python313() -> str | None:
    """The same interpreter the Makefile compiles the artifacts with, if there is one
    (`PYTHON313=path` chooses it, there as here)."""
    if os.environ.get("PYTHON313"):
        return os.environ["PYTHON313"]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(pyenv.glob("versions/3.13*/bin/python3.13"))
    if found:
        return str(found[0])
    on_path = shutil.which("python3.13")
    if on_path is None:
        return None
    probe = subprocess.run(  # a pyenv shim is on PATH even where it cannot run
        [on_path, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True
    )
    return probe.stdout.strip() if probe.returncode == 0 else None
