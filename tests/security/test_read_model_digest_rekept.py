"""A read-model row changed by another writer is put right by the next action (migrations
0026/0028: the change forgets the case's ``rows_digest``) - also when that action is taken by
a session that already knows the case (the TUI, a kept ``Casetracker``).

Such a session writes only the models whose rows changed and then keeps the digest of every
model's rows as it last wrote them.  When another writer had meanwhile deleted the case's
deadline rows (its triggers forgot the digest), a claim - which changes the worklist only -
kept a digest that matched the rows the log gives again: the deleted deadlines were never
written back, every later action trusted the digest, ``due`` and ``tick`` no longer saw the
PACE clock, and ``verify`` says nothing of read models.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime

from casetracker import paths
from casetracker.domain import clock
from casetracker.services import work
from casetracker.services.cases import Casetracker
from tests.helpers import arrested_in_custody

NOW = datetime(2016, 3, 1, 12, tzinfo=UTC)  # the arrest's PACE clock still running


def _deadlines(db: str, case_id: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT kind, item, due FROM deadlines WHERE case_id = ? ORDER BY kind", (case_id,)
        ).fetchall()


def test_a_deleted_deadline_is_put_back_after_a_warm_sessions_claim(run, db):
    clock.set_clock(lambda: NOW)
    case_id = arrested_in_custody(run, db)
    filed = _deadlines(db, case_id)
    assert filed  # the PACE clock's deadlines
    session = Casetracker(paths.database_url(db), role="police")
    try:
        session.act(case_id, "add_note", {"text": "seen"})  # the session now knows the case
        with closing(sqlite3.connect(db)) as conn, conn:
            conn.execute("DELETE FROM deadlines WHERE case_id = ?", (case_id,))  # another writer
        work.claim(session, case_id, "custody", "encounter#1")
    finally:
        session.close()
    note = run("--db", db, "--role", "police", "case", "act", case_id, "add_note", "-f", "text=x")
    assert note.code == 0, note.err
    assert _deadlines(db, case_id) == filed
