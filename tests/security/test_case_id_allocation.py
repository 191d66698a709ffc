"""A new case's id is one more than the highest, and no row in ``cases`` stops openings.

Ids were allocated as one more than the highest in text order: a ``cases`` row ``C-9x`` made
every later opening fail on its number, and after ``C-9999999`` (a log that large, or a row put
there) came ``C-10000000`` and then, for ever, a conflict, since in text order ``C-9999999``
stayed the highest.  PostgreSQL's members are tried in ``test_postgres_case_id_squat``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database


@pytest.fixture
def service(tmp_path):
    path = tmp_path / "ids.db"
    create_database(f"sqlite:///{path}", "demo")
    ct = Casetracker(f"sqlite:///{path}", as_user="cw.demo")
    ct.open_case({"name": "First"}, "2016-01-01")
    yield ct, path
    ct.close()


def _projection_row(path, case_id: str) -> None:
    """A ``cases`` row typed in beside the service (any writer of the file)."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO cases (case_id, version, head_hash, head_position, opened, updated, "
            "state) SELECT ?, version, head_hash, head_position, opened, updated, state "
            "FROM cases WHERE case_id = 'C-0000001'",
            (case_id,),
        )


def test_a_malformed_id_is_not_the_highest(service):
    ct, path = service
    _projection_row(path, "C-9x")
    assert ct.open_case({"name": "Second"}, "2016-01-01").case_id == "C-0000002"


def test_ids_go_on_past_seven_digits(service):
    ct, path = service
    _projection_row(path, "C-9999999")
    opened = [ct.open_case({"name": f"P{n}"}, "2016-01-01").case_id for n in range(4)]
    assert opened == ["C-10000000", "C-10000001", "C-10000002", "C-10000003"]
    assert ct.history("10000002")[0].case_id == "C-10000002"  # as typed, found


def test_ids_in_use_past_seven_digits_are_stepped_over(service):
    ct, path = service
    _projection_row(path, "C-9999999")
    for taken in ("C-10000000", "C-10000001", "C-10000002", "C-10000004"):
        _projection_row(path, taken)
    assert ct.open_case({"name": "Next"}, "2016-01-01").case_id == "C-10000003"
    assert ct.open_case({"name": "After"}, "2016-01-01").case_id == "C-10000005"
