"""Where a running `make run` says where it is, for `make story` and `make smoke`."""

from __future__ import annotations

from pathlib import Path

STATE_DIR = Path(".local")

# A deployed stack's outputs, by the template's logical names: a run's state file names the
# same resources, so the tools find a local run and a stack alike
OUTPUTS = {
    "SiteUrl": "SiteUrl",
    "StoriesTableName": "StoriesTable",
    "CharactersTableName": "CharactersTable",
    "ScenesTableName": "ScenesTable",
    "MediaBucketName": "MediaBucket",
    "FamiliesTableName": "FamiliesTable",
    "CanonTableName": "CanonTable",
    "FailuresQueueUrl": "FailuresQueue",
    "CreateStoryFunctionName": "CreateStoryFunction",
}


def run_state_file(port: int, state_dir: Path = STATE_DIR) -> Path:
    """One file per port, so two runs side by side are each found by their PORT."""
    return state_dir / f"run-{port}.json"


def write_private(path: Path, text: str) -> None:
    """A file only this user may read: it holds a reader secret or a private link."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)
