"""The first story page after a cold start, as shipped: a fresh Python 3.13 process that
imports the web handler from the built artifact and answers one function URL event,
timed from process start against the floor (a fresh process doing `import boto3`, one
GetItem and two presigns), alternating, against the same local stack.
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
SHIPPED = """
import json, os
from bedtime.handlers.web import handler
response = handler(json.loads(os.environ["EVENT"]), None)
assert response["statusCode"] == 200, response["statusCode"]
"""


@dataclass(frozen=True)
class ColdPage:
    floor_ms: float
    shipped_ms: float
    runs: int
    interpreter: str

    @property
    def ratio(self) -> float:
        return self.shipped_ms / self.floor_ms


def _timed(python: str, code: str, path: list[Path], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [python, "-S", "-c", code],
        env=env | {"PYTHONPATH": os.pathsep.join(map(str, path))},
        check=True,
        capture_output=True,
    )
    return (time.perf_counter() - started) * 1000


def cold_first_page(
    python: str, artifact: Path, runtime: Path, event: dict, story_id: str, runs: int = 9
) -> ColdPage:
    """Median of `runs` of each, taken turn about so both see the same noisy moments."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env |= {"EVENT": json.dumps(event), "STORY": story_id}
    floor, shipped = [], []
    for _ in range(runs):
        floor.append(_timed(python, FLOOR, [runtime], env))
        shipped.append(_timed(python, SHIPPED, [artifact, runtime], env))
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return ColdPage(statistics.median(floor), statistics.median(shipped), runs, version)


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
