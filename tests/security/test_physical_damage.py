"""A damaged database file is reported by verify, not passed as intact (issue 13).

Each chain can still hash correctly while the file under it is damaged: a broken index page, or
a unique index that no longer holds a row's key (so that a lookup by idempotency key finds
nothing and a retry records a second event).  ``verify`` runs SQLite's ``quick_check``, and
``integrity_check`` with ``--thorough``, and names what they find.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
from pathlib import Path

import pytest


def _damaged_copy(db: str, tmp_path: Path, damage) -> str:
    copy = tmp_path / "damaged.db"
    shutil.copyfile(db, copy)
    data = bytearray(copy.read_bytes())
    offset, size = _page(copy, "sqlite_autoindex_users_1")
    damage(data, offset, size)
    copy.write_bytes(bytes(data))
    return str(copy)


def _page(path: Path, index: str) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)
        ).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    return (root - 1) * size, size


def _cell_pointer_out_of_range(data: bytearray, offset: int, size: int) -> None:
    data[offset + 8 : offset + 10] = b"\xff\xff"  # the first cell's pointer on a leaf page


def _key_renamed(data: bytearray, offset: int, size: int) -> None:
    """The index's copy of the user's name changes by one byte; the page stays well formed."""
    page = data[offset : offset + size]
    at = page.rindex(pwd.getpwuid(os.geteuid()).pw_name.encode())
    data[offset + at] ^= 0x01


def test_verify_names_a_damaged_index_page(db, run, tmp_path):
    damaged = _damaged_copy(db, tmp_path, _cell_pointer_out_of_range)
    result = run("--db", damaged, "verify")
    assert result.code == 1, result.out + result.err
    assert "the database file is damaged (SQLite quick_check)" in result.out
    assert "page" in result.out and "Traceback" not in result.err


def test_verify_json_lists_the_damage(db, run, tmp_path):
    damaged = _damaged_copy(db, tmp_path, _cell_pointer_out_of_range)
    result = run("--db", damaged, "verify", "--json")
    assert result.code == 1
    assert any("quick_check" in p for p in result.json["problems"])


def test_thorough_verify_finds_a_unique_index_that_lost_a_key(db, run, tmp_path):
    """quick_check does not compare an index with its table; integrity_check does."""
    damaged = _damaged_copy(db, tmp_path, _key_renamed)
    quick = run("--db", damaged, "verify")
    assert quick.code == 0, quick.out  # the pages are well formed: the quick check passes
    thorough = run("--db", damaged, "verify", "--thorough")
    assert thorough.code == 1, thorough.out
    assert "integrity_check" in thorough.out
    assert "missing from index sqlite_autoindex_users_1" in thorough.out
    assert "REINDEX" in thorough.out


def test_an_undamaged_database_passes_both_checks(db, run):
    for flags in ((), ("--thorough",)):
        result = run("--db", db, "verify", *flags)
        assert result.code == 0, result.out + result.err
        assert "intact" in result.out


@pytest.mark.parametrize("thorough", [False, True])
def test_reindex_repairs_a_damaged_index(db, run, tmp_path, thorough):
    """What the README tells a user to do when only an index is named."""
    damaged = _damaged_copy(db, tmp_path, _key_renamed)
    conn = sqlite3.connect(damaged)
    conn.execute("REINDEX")
    conn.commit()
    conn.close()
    flags = ("--thorough",) if thorough else ()
    assert run("--db", damaged, "verify", *flags).code == 0
