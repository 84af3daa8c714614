"""Three families started, their stories made, then Ctrl-C (SIGTERM): what `make bench`
times and what tests/bedtime_local/test_local_many_families.py repeats."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

FAMILIES = ("ana", "bo", "cy")
READY_PREFIX = "--- email to family "
READY_WAIT_SECONDS = 300  # every family's email, from a cold start
STOP_WAIT_SECONDS = 10  # past this it hangs: the run is killed and the start counts as failed
SRC = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Start:
    ready: list[str]  # the families whose email the run printed, in order
    code: int | None  # its exit code after SIGTERM; None if it had not stopped
    stop_seconds: float
    output: str


def three_families(path: Path) -> Path:
    pair = [
        {"name": "Pip", "description": "a small brave hedgehog"},
        {"name": "Luna", "description": "a wise old owl"},
    ]
    families = [
        {
            "id": family,
            "storyMinutes": 2,
            "characters": pair,
            "scenes": [{"name": "Moonlit Bay", "description": "a calm beach"}],
        }
        for family in FAMILIES
    ]
    path.write_text(json.dumps({"families": families}))
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_and_stop(workdir: Path, catalog: Path) -> Start:
    """One `make run` in `workdir`: wait for every family's email, then SIGTERM."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
    for name in ("OPENAI_API_KEY", "STORY_PROVIDER", "IMAGE_PROVIDER", "SPEECH_PROVIDER"):
        env.pop(name, None)
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "bedtime_local", "--catalog", str(catalog)],
        cwd=workdir,
        env={**env, "PORT": str(_free_port())},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    ready: list[str] = []
    deadline = time.monotonic() + READY_WAIT_SECONDS
    while len(ready) < len(FAMILIES):
        waiting = deadline - time.monotonic()
        if waiting <= 0 or not select.select([process.stdout], [], [], waiting)[0]:
            break  # no email within the wait: the start counts as failed
        line = process.stdout.readline()
        if not line:
            break  # it ended by itself: a crash
        lines.append(line)
        if line.startswith(READY_PREFIX):
            ready.append(line.removeprefix(READY_PREFIX).split()[0])
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code: int | None
    try:
        rest, _ = process.communicate(timeout=STOP_WAIT_SECONDS)
        code = process.returncode
    except subprocess.TimeoutExpired:
        process.kill()
        rest, _ = process.communicate()
        code = None
    return Start(ready, code, time.monotonic() - asked, "".join(lines) + rest)


def stop_times(workdir: Path, starts: int = 3) -> tuple[float, float, int]:
    """The median and the longest Ctrl-C over `starts` starts, and how many failed."""
    catalog = three_families(workdir / "families.json")
    seconds, failed = [], 0
    for start in range(starts):
        folder = workdir / f"start-{start}"
        folder.mkdir()
        done = start_and_stop(folder, catalog)
        failed += sorted(done.ready) != sorted(FAMILIES) or done.code != 0
        seconds.append(done.stop_seconds)
    return statistics.median(seconds), max(seconds), failed
