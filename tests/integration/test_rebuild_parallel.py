"""Rebuilding the projection of a large SQLite log with a worker process: the same table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casetracker.adapters import workers
from casetracker.adapters.database import read_transaction
from casetracker.domain.errors import DatabaseError
from casetracker.services.integrity import rebuild_projection
from tests.helpers import new_service
from tests.integration.tamper import tamper


@pytest.fixture
def service(sqlite_url):
    ct = new_service(sqlite_url)
    ids = [ct.open_case({"name": f"Person {i}"}, "2014-01-01").case_id for i in range(7)]
    for n, case_id in enumerate(ids):
        for i in range(n):
            ct.act(case_id, "add_note", {"text": f"note {i}"}, "2014-02-01")
    yield ct
    ct.close()


def _cases(ct) -> list[tuple]:
    """The projection (not ``rows_digest``, the read models' digest: a case row this rebuild
    puts back has none until the case's next action or the read models' rebuild)."""
    query = (
        "SELECT case_id, version, head_hash, head_position, opened, updated, state FROM cases "
        "ORDER BY case_id"
    )
    with ct.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query))]


def test_two_processes_rebuild_exactly_the_table_each_action_kept(service, monkeypatch):
    kept = _cases(service)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    seen: list[int] = []
    assert rebuild_projection(service.engine, service.flow, seen.append) == 7
    assert _cases(service) == kept
    assert seen[-1] == 7 + sum(range(7))  # progress ends at the whole log
    assert service.verify().ok


def test_an_illegal_step_in_the_workers_half_is_refused_and_changes_nothing(
    service, sqlite_url, monkeypatch
):
    kept = _cases(service)
    tamper(
        sqlite_url,
        "UPDATE events SET step = replace(step, 'add_note', 'open_case') "
        "WHERE case_id = 'C-0000007' AND seq = 3",
    )
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    with pytest.raises(DatabaseError, match="cannot rebuild: C-0000007: open_case cannot apply"):
        rebuild_projection(service.engine, service.flow)
    assert _cases(service) == kept


def test_an_illegal_step_in_this_processs_half_is_refused(service, sqlite_url, monkeypatch):
    """The log splits at C-0000005 (the case holding its middle event); C-0000002 is replayed
    here while the worker replays the upper half."""
    kept = _cases(service)
    tamper(
        sqlite_url,
        "UPDATE events SET step = replace(step, 'add_note', 'open_case') "
        "WHERE case_id = 'C-0000002' AND seq = 2",
    )
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    with read_transaction(service.engine) as conn:
        assert workers.case_split_point(conn) == "C-0000005"
    with pytest.raises(DatabaseError, match="cannot rebuild: C-0000002: open_case cannot apply"):
        rebuild_projection(service.engine, service.flow)
    assert _cases(service) == kept


def test_every_lifecycle_of_a_demo_database_rebuilds_the_same_in_two_halves(tmp_path, monkeypatch):
    from casetracker.services.cases import Casetracker
    from casetracker.services.demo import build_demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    build_demo(url, 40)
    ct = Casetracker(url, as_user="admin.demo")
    try:
        kept = _cases(ct)
        monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
        rebuild_projection(ct.engine, ct.flow)
        assert _cases(ct) == kept
    finally:
        ct.close()


@pytest.mark.parametrize("walkers", [1, 2])
def test_rebuild_repairs_only_what_differs_and_removes_cases_without_events(
    service, sqlite_url, monkeypatch, walkers
):
    kept = _cases(service)
    tamper(
        sqlite_url,
        "UPDATE cases SET state = '{}' WHERE case_id = 'C-0000002'",
        "UPDATE cases SET head_hash = 'x', version = 99 WHERE case_id = 'C-0000007'",
        "DELETE FROM cases WHERE case_id = 'C-0000004'",
        "INSERT INTO cases (case_id, version, head_hash, head_position, opened, updated, state) "
        "SELECT 'C-0000099', version, head_hash, head_position, opened, "
        "updated, state FROM cases WHERE case_id = 'C-0000001'",
    )
    assert not service.verify().ok
    if walkers == 2:
        monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    assert rebuild_projection(service.engine, service.flow) == 7
    assert _cases(service) == kept
    assert service.verify().ok
