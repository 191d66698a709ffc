"""An outsider's attacks on what verify promises: hostile evidence files, a current-state table
edited in the file, a checkpoint that cannot carry the signature asked for.  Each is answered
with a report or one line (exit 1 or 2), never an internal error, and never with ``intact``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security import crafted_bundles as crafted

LONG_NUMBER = "1" + "0" * 5000  # past the 4,300 digits Python converts to an int


@pytest.fixture(autouse=True)
def _own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _opened(run, db: str) -> str:
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                 "-e", "2015-01-01", "--json")  # fmt: skip
    assert opened.code == 0, opened.err
    return opened.json["case_id"]


def _no_internal_error(result) -> None:
    assert "internal error" not in result.err and "Traceback" not in result.err, result.err


def test_a_number_too_long_to_read_in_a_checkpoint_is_a_usage_error(db, run, tmp_path):
    path = tmp_path / "long.json"
    path.write_text('{"format":"casetracker/checkpoint/2","position":' + LONG_NUMBER + "}")
    for args in (("--db", db, "verify", "--checkpoint", str(path)),
                 ("verify", "--consistency", str(path), str(path), str(path))):  # fmt: skip
        result = run(*args)
        _no_internal_error(result)
        assert result.code == 2 and "number too long to read" in result.err, result.err


def test_a_number_too_long_to_read_in_a_bundle_line_is_reported(run, tmp_path):
    lines = crafted.valid().split(b"\n")
    lines[1] = b'{"position":' + LONG_NUMBER.encode() + b"}"
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"\n".join(lines))
    result = run("verify", "--bundle", str(path))
    _no_internal_error(result)
    assert result.code == 1, result.out
    assert "event 1 of C-0000001 (line 2): not readable JSON" in result.out


@pytest.mark.parametrize(
    "state",
    ["not json", "[" * 3000, LONG_NUMBER, b"\xff\xfe"],
    ids=["text", "deep", "long-number", "blob"],
)
def test_a_current_state_row_that_is_no_json_is_reported(db, run, state):
    case_id = _opened(run, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cases SET state = ? WHERE case_id = ?", (state, case_id))
    conn.close()
    result = run("--db", db, "verify")
    _no_internal_error(result)
    assert result.code == 1, result.out
    assert f"{case_id}: event 1 (position 1): the current-state table disagrees" in result.out


def test_a_checkpoint_that_carries_no_signature_fails_with_a_key(db, run, tmp_path):
    """A ``casetracker/checkpoint/1`` has no tree head to sign: given ``--key``, verify had
    compared its counts, said ``intact`` and exited 0, as if a signature had been checked."""
    public = run("keys", "generate", "--json").json["public_key"]
    _opened(run, db)
    signed = tmp_path / "signed.json"
    assert run("--db", db, "checkpoint", "--sign", "--out", str(signed)).code == 0
    old = json.loads(signed.read_text())
    older = {k: old[k] for k in ("database_id", "position", "events", "cases", "heads_digest")}
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({**older, "format": "casetracker/checkpoint/1"}))
    assert run("--db", db, "verify", "--checkpoint", str(path)).code == 0  # no key: as before
    result = run("--db", db, "verify", "--checkpoint", str(path), "--key", public)
    _no_internal_error(result)
    assert result.code == 1, result.out
    assert "it is not signed" in result.out and "NOT intact" in result.out


def test_a_subject_record_erased_without_its_event_is_reported(db, run):
    """Erasure destroys a subject's values in the transaction of its ``erase_subject`` event.
    Anyone writing the file could wipe them (and the case's free text and reasons) with no
    event at all, and verify, which compares only the records that are not erased, said
    ``intact``."""
    case_id = _opened(run, db)
    noted = run("--db", db, "--role", "police", "case", "act", case_id, "add_note",
                "-f", "text=seen", "-e", "2015-01-02")  # fmt: skip
    assert noted.code == 0, noted.err
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE subjects SET salt = NULL, data = NULL, erased = '2026-01-01T00:00:00.000000Z'"
            " WHERE case_id = ?",
            (case_id,),
        )
        conn.execute("DELETE FROM subject_values WHERE case_id = ?", (case_id,))
    conn.close()
    result = run("--db", db, "verify")
    _no_internal_error(result)
    assert result.code == 1, result.out
    assert f"{case_id}: case: the subject record is erased but the log records no" in result.out


def test_a_subject_erased_by_its_event_is_intact(db, run):
    case_id = _opened(run, db)
    erased = run("--db", db, "--role", "admin", "case", "act", case_id, "erase_subject",
                 "-f", "legal_basis=asked", "-e", "2015-01-03")  # fmt: skip
    assert erased.code == 0, erased.err
    result = run("--db", db, "verify")
    assert result.code == 0 and "intact" in result.out, result.out


def test_a_reason_for_reading_deleted_with_no_erasure_is_reported(db, run):
    """The reason a reader gave is kept beside its access-log entry until the subject's
    erasure (or an ``erase-reason``) takes it.  Deleted from the file with no erasure, the
    reason for a read was simply gone, and verify (checking only the rows still there) said
    ``intact``."""
    case_id = _opened(run, db)
    shown = run("--db", db, "--role", "police", "case", "show", case_id, "--reason", "checking")
    assert shown.code == 0, shown.err
    with sqlite3.connect(db) as conn:
        (position,) = conn.execute(
            "SELECT position FROM access_log WHERE action = 'show' AND case_id = ?", (case_id,)
        ).fetchone()
        conn.execute("DELETE FROM access_justifications WHERE position = ?", (position,))
    conn.close()
    result = run("--db", db, "verify")
    _no_internal_error(result)
    assert result.code == 1, result.out
    assert f"the justification of entry {position} is gone, but nothing erased it" in result.out


ENDLESS_KEY = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20))
from casetracker.cli import main
sys.argv = ["casetracker", "verify", "--bundle", sys.argv[1], "--key", "/dev/zero"]
main.main()
"""


def test_a_key_file_that_never_ends_is_refused_unread(tmp_path):
    """A key file's size was asked of ``stat`` and the file then read whole: /dev/zero (size
    0) was read until memory ran out, an internal error."""
    path = tmp_path / "bundle.jsonl"
    path.write_bytes(crafted.valid())
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    env.pop("CASETRACKER_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", ENDLESS_KEY, str(path)],
        capture_output=True,
        timeout=60,
        env=env,
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err[-500:]
    assert "/dev/zero is too large to be a key file" in err and "internal error" not in err


@pytest.mark.parametrize("key", ["realm", "created", "database_id"])
def test_metadata_removed_from_the_file_is_one_line(db, run, key):
    """Every command, verify included, had failed on ``KeyError`` (an internal error)."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
    conn.close()
    result = run("--db", db, "verify")
    assert result.code == 1, result.out + result.err
    assert f"this database's metadata has no {key}: the file was altered" in result.err
    _no_internal_error(result)


def test_a_subject_record_of_a_case_with_no_events_is_reported(db, run):
    """A record is written beside its case's events; one invented in the file for a case that
    has none was compared with nothing, and verify said ``intact``."""
    _opened(run, db)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO subjects (case_id, salt, data) VALUES ('C-0000077', ?, ?)",
            ("ab" * 32, '{"name":"Invented Person"}'),
        )
    conn.close()
    result = run("--db", db, "verify")
    _no_internal_error(result)
    assert result.code == 1, result.out
    assert "C-0000077: case: a subject record is kept for a case with no events" in result.out
