"""`sam build`, typed as is, on a machine whose python3 has only the standard library."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

SAM = Path(sys.executable).with_name("sam")


def bare_python(where: Path) -> Path:
    """A python3 with the standard library and nothing else, not even pip (a fresh
    Debian or Homebrew Python, as far as the build can tell)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return where / "bin"


@pytest.mark.build
def test_sam_build_needs_nothing_but_the_standard_library_from_python3(tmp_path) -> None:
    """The build's own steps (pip, the precompiled templates) run the project's virtualenv;
    with no Python 3.13 here (PYTHON313 empty) it still builds, and says so."""
    bare = bare_python(tmp_path / "bare")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }
    environment |= {"PATH": f"{bare}{os.pathsep}{os.environ['PATH']}", "PYTHON313": ""}
    no_pip = subprocess.run(
        [str(bare / "python3"), "-m", "pip", "--version"], capture_output=True, check=False
    )
    assert no_pip.returncode != 0  # and it comes first on the build's PATH
    build, cache = tmp_path / "build", tmp_path / "cache"
    result = subprocess.run(
        [str(SAM), "build", "WebFunction", "--build-dir", str(build), "--cache-dir", str(cache)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    artifact = build / "WebFunction"
    assert (artifact / "bedtime" / "handlers" / "web.py").exists()
    assert (artifact / "jinja2").is_dir()
    assert list((artifact / "web" / "compiled").glob("*.py"))  # templates precompiled
    assert "warning: no Python 3.13 here" in result.stderr
