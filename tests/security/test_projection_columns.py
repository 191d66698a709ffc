"""Every column of a ``cases`` row that ``rebuild`` derives from the log is compared with it by
``verify`` (issue 13: the projection cannot be made to disagree with the log without verify
saying so).  ``opened`` and ``updated`` had not been: case search by date reads them, so a row
altered there hid a case from a search by date and verify said intact; nor had the head's
position.  Both of verify's paths are held to it: the sweep (a whole log) and the walk (a log
the sweep is unsure of, and the check of one case)."""

from __future__ import annotations

import sqlite3

import pytest

from casetracker.services.case_integrity import verify_case
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine

ALTERED = {
    "opened": "2000-01-01T00:00:00.000000Z",
    "updated": "2000-01-02T00:00:00.000000Z",
    "head_position": 999,
}


def _two_cases(db: str, run) -> str:
    for name in ("A Person", "B Person"):
        opened = run("--db", db, "--role", "police", "case", "open", "-f", f"name={name}",
                     "-e", "2015-01-01", "--json")  # fmt: skip
        assert opened.code == 0, opened.err
    case_id = opened.json["case_id"]
    noted = run("--db", db, "--role", "police", "case", "act", case_id, "add_note",
                "-f", "text=seen", "-e", "2015-01-02")  # fmt: skip
    assert noted.code == 0, noted.err
    return case_id


@pytest.mark.parametrize("column", sorted(ALTERED))
def test_a_projection_column_altered_is_reported_and_rebuild_puts_it_back(db, run, column):
    case_id = _two_cases(db, run)
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE cases SET {column} = ? WHERE case_id = ?", (ALTERED[column], case_id))
    conn.close()
    found = run("--db", db, "verify")
    assert found.code == 1, found.out
    assert f"{case_id}: event 2" in found.out and "current-state table disagrees" in found.out
    ct = Casetracker(f"sqlite:///{db}", role="police", workflows=core_engine())
    try:
        assert not verify_case(ct, case_id).ok  # the walk of one case says so too
    finally:
        ct.close()
    assert run("--db", db, "rebuild").code == 0
    assert run("--db", db, "verify").code == 0


def test_an_untouched_log_is_intact_by_both_paths(db, run):
    case_id = _two_cases(db, run)
    assert run("--db", db, "verify").code == 0
    ct = Casetracker(f"sqlite:///{db}", role="police", workflows=core_engine())
    try:
        assert verify_case(ct, case_id).ok
    finally:
        ct.close()
