"""A payload altered in the file into something the store never writes (not JSON, not an
object, nested past any parser) makes every command that reads the case say in one line that
the log cannot be read and to run ``verify`` (exit 1), which names the event: they had each
stopped with an internal error (issue 13 item 7: no crash on damaged input)."""

from __future__ import annotations

import sqlite3

import pytest

PAYLOADS = {
    "text": "not json",
    "array": "[]",
    "fields-not-object": '{"fields":[1]}',
    "deep": "[" * 100_000,
}
READS = [
    ("case", "history"),
    ("--role", "police", "case", "show"),
    ("--role", "police", "case", "actions"),
    ("--role", "police", "case", "timeline"),
    ("replay",),
]


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_a_payload_the_store_never_writes_is_one_line_pointing_to_verify(db, run, payload):
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                 "-e", "2015-01-01", "--json")  # fmt: skip
    case_id = opened.json["case_id"]
    noted = run("--db", db, "--role", "police", "case", "act", case_id, "add_note",
                "-f", "text=seen", "-e", "2015-01-02")  # fmt: skip
    assert noted.code == 0, noted.err
    with sqlite3.connect(db) as conn:  # as anyone who can write the file
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET payload = ? WHERE seq = 2", (payload,))
    conn.close()
    for read in READS:
        result = run("--db", db, *read, case_id)
        assert result.code == 1, (read, result.out, result.err)
        assert "internal error" not in result.err, (read, result.err)
        assert "cannot be read" in result.err and "casetracker verify" in result.err, result.err
    acted = run("--db", db, "--role", "police", "case", "act", case_id, "add_note",
                "-f", "text=again", "-e", "2015-01-03")  # fmt: skip
    assert acted.code == 1 and "casetracker verify" in acted.err, acted.err
    checked = run("--db", db, "verify")
    assert checked.code == 1 and f"{case_id}: event 2" in checked.out, checked.out


def test_an_access_log_time_the_store_never_writes_is_shown_pointing_to_verify(db, run):
    """The access log shown with an entry's recorded time altered into text that is no time:
    the entry is listed with what the file holds, and verify reports it (it had been an
    internal error)."""
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                 "-e", "2015-01-01", "--json")  # fmt: skip
    case_id = opened.json["case_id"]
    assert run("--db", db, "--role", "police", "case", "show", case_id, "--reason", "r").code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER access_log_no_update")
        conn.execute("UPDATE access_log SET recorded = 'garbage'")
    conn.close()
    shown = run("--db", db, "--role", "admin", "access-log", case_id)
    assert shown.code == 0 and "internal error" not in shown.err, shown.err
    assert "'garbage' (not a recorded time: run `casetracker verify`)" in shown.out, shown.out
    assert run("--db", db, "verify").code == 1
