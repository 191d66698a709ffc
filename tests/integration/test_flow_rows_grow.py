"""The flow read model's rows grow with each action instead of being derived again (issue 18).

On PostgreSQL each action writes its case's rows through ``flow_model.change`` (called by
``read_models.update``); on SQLite its readers catch the table up from the log instead
(tests/analytics/test_flow_catch_up.py).  An action recorded now adds a step at the end of its
case's traces: ``change`` extends, in place, the traces it last wrote for the same view, and
inserts the new rows without reading the case's rows back.  These tests drive ``change`` as an
action on PostgreSQL does - after each action, handed what it returned for the case last time -
on SQLite, and hold the extended rows equal to the rows derived from every step, through
back-dated steps (which fall back to deriving everything) and new instances, and the table
equal to one filled from the log."""

from __future__ import annotations

from typing import Any

import pytest

from casetracker.adapters import flow_model
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.adapters.flow_model import moments, trace_rows
from casetracker.services.cases import Casetracker
from tests.helpers import new_service

WHEN = [
    "2015-06-21T10:00",
    "2015-06-22T09:00",
    "2015-06-20",  # back-dated: before steps already in the trace
    "2016-01-01T00:30",
    "2015-07",  # a month
    "2016-01-01T00:30",  # the same moment again
    "2017-03-04T11:00/2017-03-05T12:00",
]


@pytest.fixture
def ct(tmp_path) -> Any:
    service = new_service(f"sqlite:///{tmp_path / 'flow.db'}")
    yield service
    service.close()


def _act(ct: Casetracker, kept: dict[str, Any], case_id: str, when: str, text: str) -> None:
    """A note, then the case's flow rows brought in line as PostgreSQL's action does it."""
    ct.act(case_id, "add_note", {"text": text}, when)
    view = ct._views.get(case_id)
    assert view is not None
    with write_transaction(ct.engine) as conn:
        kept[case_id] = flow_model.change(conn, view, kept.get(case_id))


def _table(ct: Casetracker) -> list[tuple]:
    with read_transaction(ct.engine) as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql("SELECT * FROM flow_steps").fetchall())


def test_grown_rows_are_the_rows_of_every_step(ct: Casetracker) -> None:
    cases = [ct.open_case({"name": f"p{i}"}, "2015-06-21").case_id for i in range(3)]
    kept: dict[str, Any] = {}
    for i in range(40):
        _act(ct, kept, cases[i % 3], WHEN[i % len(WHEN)], "seen")
        view = ct._views.get(cases[i % 3])
        assert view is not None
        assert flow_model.rows_for(view) == trace_rows(view.case_id, moments(view))
    kept = _table(ct)
    with write_transaction(ct.engine) as conn:
        flow_model.clear(conn)
        flow_model.fill(conn)
    assert kept == _table(ct)


def test_a_note_now_inserts_its_rows_without_reading_the_case_back(
    ct: Casetracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = ct.open_case({"name": "p"}, "2015-06-21").case_id
    kept: dict[str, Any] = {}
    for _ in range(5):
        _act(ct, kept, case_id, "2015-06-21T10:00", "seen")
    statements: list[tuple[str, Any]] = []
    real = flow_model.driver_sql

    def spy(conn: Any, query: str, params: Any = (), cursor_name: str = "main") -> Any:
        statements.append((query, params))
        return real(conn, query, params, cursor_name)

    monkeypatch.setattr(flow_model, "driver_sql", spy)
    _act(ct, kept, case_id, "2015-06-21T11:00", "seen")
    assert [q.split()[0] for q, _ in statements] == ["INSERT"]
    inserted = statements[0][1]
    assert [(row[1], row[3]) for row in inserted] == [("", 6), ("case", 6)]
    # a back-dated note moves steps: the rows are derived again and compared with the table's
    statements.clear()
    _act(ct, kept, case_id, "2015-06-21T09:00", "earlier")
    assert statements[0][0].startswith("SELECT")
    kept = _table(ct)
    with write_transaction(ct.engine) as conn:
        flow_model.clear(conn)
        flow_model.fill(conn)
    assert kept == _table(ct)
