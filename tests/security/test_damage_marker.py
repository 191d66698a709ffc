"""A file verify found damaged is not written to until an admin declares it repaired (issue 13).

SQLite's own check (``quick_check``, or ``integrity_check`` with ``--thorough``) finds damage
no chain shows.  Before the damage marker, verify reported it and every command went on writing
into the damaged file: a retried idempotency key could record a second event past a broken
unique index.  Now verify leaves ``<file>-damaged`` beside it, every write is refused in one
line with the file unchanged, and ``casetracker repaired`` - an admin's, after a repair, and
only once SQLite's thorough check finds the file whole - lifts it, logged.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from tests.cli.conftest import snapshot

OPEN = (
    "--role",
    "casework",
    "case",
    "open",
    "--field",
    "name=Sam Synthetic",
    "--effective",
    "2015-06-01",
)


def _access_actions(path: str) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM access_log ORDER BY position")]


def _damaged_copy(db: str, tmp_path: Path) -> str:
    """A copy whose one broken page is the root of an index no case open reads or writes (the
    access log's by case: opening a case logs nothing): SQLite's check finds it, while every
    write would still go through."""
    copy = tmp_path / "damaged.db"
    shutil.copyfile(db, copy)
    with closing(sqlite3.connect(copy)) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'ix_access_log_case_id'"
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    data = bytearray(copy.read_bytes())
    offset = (root - 1) * size
    data[offset + 8 : offset + 10] = b"\xff\xff"  # the first cell's pointer, off the page
    copy.write_bytes(bytes(data))
    return str(copy)


def test_a_damaged_file_refuses_writes_until_an_admin_declares_it_repaired(db, run, tmp_path):
    whole = tmp_path / "whole.db"
    shutil.copyfile(db, whole)
    damaged = _damaged_copy(db, tmp_path)
    assert run("--db", damaged, *OPEN).code == 0  # nothing stops a write yet: nobody has looked
    found = run("--db", damaged, "verify")
    assert found.code == 1 and "quick_check" in found.out, found.out
    marker = Path(damaged + "-damaged")
    assert marker.exists()

    before = snapshot(damaged)
    for attempt in (OPEN, ("--role", "admin", "user", "add", "someone", "--roles", "casework")):
        refused = run("--db", damaged, *attempt)
        assert refused.code == 1, refused.out
        assert "found damaged by verify" in refused.err and "casetracker repaired" in refused.err
        assert len(refused.err.strip().splitlines()) == 1 and "Traceback" not in refused.err
    assert snapshot(damaged) == before

    still = run(
        "--db", damaged, "--role", "admin", "repaired"
    )  # not repaired yet: the thorough check says so
    assert still.code == 1 and "still damaged" in still.err
    assert marker.exists() and snapshot(damaged) == before

    shutil.copyfile(whole, damaged)  # the repair: a backup restored
    lifted = run("--db", damaged, "--role", "admin", "repaired")
    assert lifted.code == 0, lifted.err
    assert not marker.exists()
    assert _access_actions(damaged)[-1] == "repaired"
    assert run("--db", damaged, *OPEN).code == 0


def test_nothing_to_declare_repaired_on_a_whole_file(db, run):
    before = snapshot(db)
    result = run("--db", db, "--role", "admin", "repaired")
    assert result.code == 2 and "no damage is recorded" in result.err
    assert snapshot(db) == before
