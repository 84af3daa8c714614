"""Three families on one laptop, started again and again: the local run makes every
family's story and stops when asked, however the native engines' first calls overlap."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow

STARTS = 10
FAMILIES = ("ana", "bo", "cy")
# A hang, not a slow stop: `make bench` measures how long Ctrl-C takes.
STOP_WAIT_SECONDS = 10
READY_WAIT_SECONDS = 120


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_and_stop(workdir: Path, catalog: Path) -> tuple[list[str], int | None, str]:
    """One `make run`: the families whose story it printed, its exit code after SIGTERM
    (None if it had not stopped within STOP_WAIT_SECONDS), and all it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
    for name in ("OPENAI_API_KEY", "STORY_PROVIDER", "IMAGE_PROVIDER", "SPEECH_PROVIDER"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bedtime.local", "--catalog", str(catalog)],
        cwd=workdir,
        env={**env, "PORT": str(free_port())},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines, ready = [], []
    while len(ready) < len(FAMILIES):
        line = process.stdout.readline()
        if not line:
            break  # it ended by itself: a crash
        lines.append(line)
        if line.startswith("--- email to family "):
            ready.append(line.split()[4])
    process.send_signal(signal.SIGTERM)
    try:
        rest, _ = process.communicate(timeout=STOP_WAIT_SECONDS)
        code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        process.kill()
        rest, _ = process.communicate()
        code = None
    return ready, code, "".join(lines) + rest


def test_three_families_started_ten_times_give_thirty_stories_and_stop_each_time(
    tmp_path,
) -> None:
    catalog = three_families(tmp_path / "families.json")
    stories = 0
    for start in range(STARTS):
        workdir = tmp_path / f"start-{start}"
        workdir.mkdir()
        ready, code, output = start_and_stop(workdir, catalog)
        assert sorted(ready) == sorted(FAMILIES), f"start {start}:\n{output[-3000:]}"
        assert code == 0, f"start {start} ended with {code}:\n{output[-3000:]}"
        stories += len(ready)
    assert stories == STARTS * len(FAMILIES)
