"""The code stays clean under the tools configured in pyproject.toml: ruff (style and lint),
mypy (types) and import-linter (the layers of docs/architecture.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``tool`` run from the repository root, from this environment's scripts if not on PATH."""
    found = shutil.which(tool) or str(Path(sys.executable).with_name(tool))
    if not Path(found).exists():
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]' brings it)")
    return subprocess.run([found, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean():
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_import_contract_is_kept():
    result = _run("lint-imports")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
