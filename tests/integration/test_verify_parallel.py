"""The verifier's two-process walk of a large SQLite log gives the same report as one walk."""

from __future__ import annotations

import sys

import pytest

from casetracker.adapters import workers
from casetracker.adapters.database import read_transaction
from casetracker.services import integrity as verify_module
from tests.helpers import in_two_processes, new_service
from tests.integration.tamper import set_fields, tamper


@pytest.fixture
def service(sqlite_url):
    ct = new_service(sqlite_url)
    ids = [ct.open_case({"name": f"Person {i}"}, "2014-01-01").case_id for i in range(6)]
    for case_id in ids:
        ct.act(case_id, "add_note", {"text": "seen"}, "2014-02-01")
    yield ct
    ct.close()


def _parts(ct):
    with read_transaction(ct.engine) as conn:
        table = ct.flow.replay_table()
        return verify_module._walk_parts(conn, ct.info, table, 0)


def test_a_large_log_is_walked_in_two_parts_that_add_up(service, monkeypatch):
    handed_back = in_two_processes(monkeypatch)
    parts = _parts(service)
    assert len(parts) == 2
    assert sum(p.events for p in parts) == 12
    assert sum(p.cases for p in parts) == 6
    snapshot, part = handed_back[0]  # walked by the worker, in its own transaction
    assert snapshot == 12
    assert part == parts[1]


def test_two_walkers_report_exactly_what_one_walker_reports(service, sqlite_url, monkeypatch):
    checkpoint = service.checkpoint()
    set_fields(sqlite_url, 9, actor_user="x")
    tamper(sqlite_url, "DELETE FROM events WHERE position = 4")
    one = service.verify(checkpoint).as_dict()
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    two = service.verify(checkpoint).as_dict()
    assert not one["ok"]
    assert one == two


def test_a_failed_worker_only_means_walking_its_half_here(service, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    parts = _parts(service)
    assert len(parts) == 2
    assert sum(p.events for p in parts) == 12
    assert service.verify().ok


def test_a_worker_that_sees_a_later_log_is_not_trusted(service, monkeypatch):
    """The worker's snapshot starts after an append the verifier's snapshot does not hold."""
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    with read_transaction(service.engine) as conn:
        conn.exec_driver_sql("SELECT count(*) FROM events").scalar()  # fixes this snapshot
        service.act("C-0000006", "add_note", {"text": "later"}, "2014-02-02")
        parts = verify_module._walk_parts(conn, service.info, service.flow.replay_table(), 0)
    assert sum(p.events for p in parts) == 12  # not 13: both halves from the same snapshot
    assert service.verify().ok
