"""An export bundle's ``--out`` from a careless hand: a path that is already a file (the database
itself, a bundle kept as evidence) or a directory.  ``export-log`` never overwrites a file and
``export`` must not either: it had written the bundle over the SQLite file it read, leaving no
database, and reported a directory as an internal error after logging the disclosure."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.cli.conftest import snapshot
from tests.helpers import arrested_in_custody


def _exports_logged(db: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM access_log WHERE action = 'export'").fetchone()[0]


def _export(run, db: str, out: Path):
    return run("--db", db, "--role", "auditor", "export", "1", "--out", str(out), "--reason", "x")


def test_an_export_over_the_database_file_is_refused(run, db):
    arrested_in_custody(run, db)
    before = snapshot(db)
    refused = _export(run, db, Path(db))
    assert refused.code == 2, refused.err
    assert refused.err == f"casetracker: {db} exists: an export never overwrites a file\n"
    assert snapshot(db) == before
    assert run("--db", db, "--role", "auditor", "verify").code == 0


def test_an_export_over_an_earlier_bundle_is_refused(run, db, tmp_path):
    arrested_in_custody(run, db)
    kept = tmp_path / "kept.jsonl"
    assert _export(run, db, kept).code == 0
    first = kept.read_bytes()
    refused = _export(run, db, kept)
    assert refused.code == 2 and "never overwrites" in refused.err
    assert kept.read_bytes() == first and _exports_logged(db) == 1


def test_an_export_into_a_directory_is_one_line_and_logs_nothing(run, db, tmp_path):
    arrested_in_custody(run, db)
    refused = _export(run, db, tmp_path)
    assert refused.code == 2 and len(refused.err.splitlines()) == 1, refused.err
    assert "internal error" not in refused.err and _exports_logged(db) == 0


def test_a_bundle_that_cannot_be_written_logs_no_disclosure(run, db, tmp_path, monkeypatch):
    arrested_in_custody(run, db)

    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    failed = _export(run, db, tmp_path / "b.jsonl")
    assert failed.code == 1 and "No space left on device" in failed.err, failed.err
    assert len(failed.err.splitlines()) == 1 and "internal error" not in failed.err
    assert _exports_logged(db) == 0 and not list(tmp_path.glob("*b.jsonl*"))
