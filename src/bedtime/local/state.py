"""Where a running `make run` says where it is, for `make story` and `make smoke`."""

from __future__ import annotations

from pathlib import Path

STATE_DIR = Path(".local")


def run_state_file(port: int, state_dir: Path = STATE_DIR) -> Path:
    """One file per port, so two runs side by side are each found by their PORT."""
    return state_dir / f"run-{port}.json"
