"""Run the real command line in-process: argv in, exit code, stdout and stderr out."""

from __future__ import annotations

import json
import os
import pwd
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from casetracker.cli import main as cli


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run(capsys, monkeypatch):
    def invoke(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["casetracker", *args])
        monkeypatch.setenv("CASETRACKER_DEBUG", "1")  # a bug keeps its traceback in the tests
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def db(tmp_path, run) -> str:
    path = tmp_path / "cli.db"
    result = run(
        "--db",
        str(path),
        "init",
        "--roles",
        "admin,police,ccu,immigration_officer,casework,auditor",
    )
    assert result.code == 0, result.err
    # A police user belongs to a force (issue 13): the Met's, whose cases these tests open.
    me = pwd.getpwuid(os.geteuid()).pw_name
    roles = "admin,police,ccu,immigration_officer,casework,auditor"
    forced = run("--db", str(path), "user", "add", me, "--roles", roles, "--force", "MPS")
    assert forced.code == 0, forced.err
    return str(path)


def snapshot(path: str) -> bytes:
    """The database file's bytes (every connection is closed, so the WAL has been folded in)."""
    wal = Path(path + "-wal")
    return Path(path).read_bytes() + (wal.read_bytes() if wal.exists() else b"")
