"""A case's read-model rows are rewritten only when their content changes (issue 18).

A view folded afresh from the log (every CLI ``case act``, a new TUI session) does not know
what this process last wrote, so it compares its rows with the database's: a note on a case
whose worklist, deadline and report rows stay the same writes none of them, and a row that
differs is still put right.
"""

from __future__ import annotations

import sqlalchemy as sa

from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year
from tests.helpers import cold_note, filed_rows

TABLES = ("worklist", "deadlines", "mi_arrests", "mi_people", "mi_referrals", "mi_spells")


def _year(url: str) -> str:
    """A small synthetic year; returns an open case that has worklist and report rows."""
    create_database(url, "demo")
    ct = Casetracker(url, as_user="io.demo")
    try:
        generate_year(ct, seed=5, year=2015, arrests=60, workers=1)
        with read_transaction(ct.engine) as conn:
            return conn.exec_driver_sql(
                "SELECT w.case_id FROM worklist w JOIN mi_arrests m ON m.case_id = w.case_id "
                'JOIN cases c ON c.case_id = w.case_id WHERE c.state LIKE \'%"case":"open"%\' '
                "ORDER BY w.case_id LIMIT 1"
            ).scalar_one()
    finally:
        ct.close()


def test_a_cold_note_rewrites_no_row(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'year.db'}"
    case_id = _year(url)
    before = filed_rows(url, case_id, TABLES)
    assert before["worklist"] and before["mi_arrests"]
    cold_note(url, case_id)
    assert filed_rows(url, case_id, TABLES) == before


def test_a_cold_view_puts_a_differing_row_right(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'year.db'}"
    case_id = _year(url)
    right = {t: [row[1:] for row in rows] for t, rows in filed_rows(url, case_id, TABLES).items()}
    engine = sa.create_engine(url)
    try:
        with write_transaction(engine) as conn:
            conn.exec_driver_sql(
                "UPDATE worklist SET label = 'stale' WHERE case_id = ?", (case_id,)
            )
            conn.exec_driver_sql("DELETE FROM mi_people WHERE case_id = ?", (case_id,))
    finally:
        engine.dispose()
    cold_note(url, case_id)
    after = {t: [row[1:] for row in rows] for t, rows in filed_rows(url, case_id, TABLES).items()}
    assert after == right
