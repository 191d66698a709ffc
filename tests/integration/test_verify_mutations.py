"""Mutation tests for the verifier: from a valid log, change one thing at a time; every change
must be caught, naming the first bad event (the last three kinds against a checkpoint)."""

from __future__ import annotations

import shutil
from unittest import mock

import pytest

from casetracker.domain.events import RecordedEvent
from casetracker.integrity.encoding import (
    EVENT_FIELDS,
    STORED_FIELDS,
    hashed_values,
    recorded_event,
    stored_hash,
    stored_values,
)
from casetracker.integrity.event_checks import COLUMNS
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine, new_service
from tests.integration.tamper import rows, set_fields, tamper

TEXT_FIELDS = [
    f
    for f in (*EVENT_FIELDS, "hash")
    if f not in ("position", "seq", "workflow_version", "instance")
]


def _event(db_url: str, position: int) -> RecordedEvent:
    query = f"SELECT {', '.join(COLUMNS)} FROM events WHERE position = {position}"
    return recorded_event(rows(db_url, query)[0])


@pytest.fixture(autouse=True, params=["one walker", "two walkers"])
def walkers(request, monkeypatch):
    """Every mutation is also caught when a SQLite log is split between two processes."""
    if request.param == "two walkers":
        monkeypatch.setattr("casetracker.adapters.workers.PARALLEL_FROM", 1)
    return request.param


@pytest.fixture
def log(db_url):
    """Three cases, four events each, interleaved; returns (service, checkpoint).  The first
    notes (positions 4-6) were given idempotency keys; the other events have empty ones."""
    ct = new_service(db_url)
    ids = [ct.open_case({"name": f"Person {i}"}, f"2014-01-0{i + 1}").case_id for i in range(3)]
    for n in range(3):
        for case_id in ids:
            key = f"note {n} of {case_id}" if n == 0 else None
            ct.act(case_id, "add_note", {"text": f"note {n}"}, f"2014-02-0{n + 1}",
                   idempotency_key=key)  # fmt: skip
    assert ct.verify().ok
    yield ct, ct.checkpoint()
    ct.close()


def _flip(value: str) -> str:
    """Change exactly one character (one byte in ASCII text)."""
    last = value[-1]
    return value[:-1] + ("0" if last != "0" else "1")


def _damaged(ct: Casetracker, checkpoint=None):
    report = ct.verify(checkpoint)
    assert not report.ok
    with mock.patch("casetracker.integrity.batch_checks._sweep_range", return_value=None):
        walked = ct.verify(checkpoint)
    assert walked.as_dict() == report.as_dict()  # the fast sweep hides nothing the walk finds
    return report


@pytest.mark.parametrize("column", TEXT_FIELDS)
def test_one_changed_byte_in_any_text_field_is_caught(log, db_url, column):
    ct, _ = log
    event = _event(db_url, 5)
    case_id, seq, value = event.case_id, event.seq, getattr(event, column)
    if column == "hash":
        tamper(
            db_url, "UPDATE events SET hash = :v WHERE position = 5", params=[{"v": _flip(value)}]
        )
    else:
        set_fields(db_url, 5, **{column: _flip(value)})
    report = _damaged(ct)
    named = {(d.case_id, d.seq) for d in report.damaged}
    if column == "case_id":
        assert (case_id, seq + 1) in named or (_flip(case_id), seq) in named
    else:
        assert (case_id, seq) in named, report.damaged


def test_a_key_given_to_an_event_recorded_without_one_is_caught(log, db_url):
    ct, _ = log
    event = _event(db_url, 8)
    assert event.idempotency_key == ""
    set_fields(db_url, 8, idempotency_key="made up later")
    assert (event.case_id, event.seq) in {(d.case_id, d.seq) for d in _damaged(ct).damaged}


@pytest.mark.parametrize("column", ["position", "seq", "workflow_version", "instance"])
def test_changed_number_in_any_integer_field_is_caught(log, db_url, column):
    ct, _ = log
    event = _event(db_url, 5)
    case_id, seq = event.case_id, event.seq
    set_fields(db_url, 5, **{column: getattr(event, column) + 1000})
    report = _damaged(ct)
    assert case_id in {d.case_id for d in report.damaged}
    if column in ("workflow_version", "instance"):
        assert (case_id, seq) in {(d.case_id, d.seq) for d in report.damaged}


@pytest.mark.parametrize("column", STORED_FIELDS)
def test_one_changed_byte_in_any_stored_column_is_caught(log, db_url, column):
    """Separators included: a 0x1F in a step or stamp turned into something else."""
    ct, _ = log
    (value,) = rows(db_url, f"SELECT {column} FROM events WHERE position = 5")[0]
    if isinstance(value, int):
        changed: object = value + 1000
    elif "\x1f" in value:
        changed = value.replace("\x1f", "/", 1)
    else:
        changed = _flip(value)
    tamper(db_url, f"UPDATE events SET {column} = :v WHERE position = 5", params=[{"v": changed}])
    report = _damaged(ct)
    assert report.damaged


def test_deleted_event_is_caught_and_the_next_named(log, db_url):
    ct, _ = log
    case_id, seq = rows(db_url, "SELECT case_id, seq FROM events WHERE position = 5")[0]
    tamper(db_url, "DELETE FROM events WHERE position = 5")
    report = _damaged(ct)
    assert (case_id, seq + 1) in {(d.case_id, d.seq) for d in report.damaged}
    assert any("position 5 is missing" in p for p in report.problems)


def test_swapped_events_are_caught(log, db_url):
    ct, _ = log
    case_id = rows(db_url, "SELECT case_id FROM events WHERE position = 4")[0][0]
    tamper(
        db_url,
        "UPDATE events SET seq = -1 WHERE case_id = :c AND seq = 2",
        "UPDATE events SET seq = 2 WHERE case_id = :c AND seq = 3",
        "UPDATE events SET seq = 3 WHERE case_id = :c AND seq = -1",
        params=[{"c": case_id}] * 3,
    )
    report = _damaged(ct)
    assert (case_id, 2) in {(d.case_id, d.seq) for d in report.damaged}


def test_inserted_event_is_caught(log, db_url):
    ct, _ = log
    case_id = rows(db_url, "SELECT case_id FROM events WHERE position = 1")[0][0]
    columns = ", ".join(COLUMNS)
    source = rows(db_url, f"SELECT {columns} FROM events WHERE case_id = '{case_id}' AND seq = 2")[
        0
    ]
    forged = dict(zip(COLUMNS, source, strict=True))
    forged.update(position=100, idempotency_key="forged", seq=2)
    forged["hash"] = stored_hash(tuple(forged[f] for f in STORED_FIELDS))
    tamper(
        db_url,
        "UPDATE events SET seq = seq + 100 WHERE case_id = :c AND seq >= 2",
        "UPDATE events SET seq = seq - 99 WHERE case_id = :c AND seq >= 100",
        f"INSERT INTO events ({', '.join(forged)}) VALUES ({', '.join(':' + k for k in forged)})",
        params=[{"c": case_id}, {"c": case_id}, forged],
    )
    report = _damaged(ct)
    assert (case_id, 3) in {(d.case_id, d.seq) for d in report.damaged}


def test_truncated_tail_is_caught_against_a_checkpoint(log, db_url):
    ct, checkpoint = log
    tamper(db_url, "DELETE FROM events WHERE position > 10")
    ct.rebuild()  # a careful attacker also repairs the projection
    report = _damaged(ct, checkpoint)
    assert any("tail was cut off" in p for p in report.problems)


def test_whole_deleted_case_is_caught_against_a_checkpoint(log, db_url):
    ct, checkpoint = log
    victim = rows(db_url, "SELECT case_id FROM events WHERE position = 2")[0][0]
    tamper(db_url, "DELETE FROM events WHERE case_id = :c", params=[{"c": victim}])
    ct.rebuild()
    report = _damaged(ct, checkpoint)
    assert any("whole cases were removed" in p for p in report.problems)


def test_fully_rewritten_history_is_caught_against_a_checkpoint(log, db_url):
    """An attacker who recomputes every hash leaves valid chains: only a checkpoint shows it."""
    ct, checkpoint = log
    events = rows(db_url, f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY case_id, seq")
    statements, params = [], []
    prev: dict[str, str] = {}
    for row in events:
        event = recorded_event(row)
        if event.seq == 2:
            event = event._replace(actor_user="nobody")
        event = event._replace(prev_hash=prev.get(event.case_id, event.prev_hash))
        stored = dict(zip(STORED_FIELDS, stored_values(hashed_values(event)), strict=True))
        stored["hash"] = stored_hash(tuple(stored.values()))
        prev[event.case_id] = stored["hash"]
        statements.append(
            "UPDATE events SET stamp = :stamp, prev_hash = :prev_hash, hash = :hash "
            "WHERE position = :position"
        )
        params.append(stored)
    tamper(db_url, *statements, params=params)
    ct.rebuild()
    assert ct.verify().ok  # the chains alone cannot tell
    report = _damaged(ct, checkpoint)
    assert any("differ from the checkpoint" in p for p in report.problems)


def test_restored_older_backup_is_caught_against_a_checkpoint(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    ct = new_service(url)
    case_id = ct.open_case({"name": "P"}, "2014-01-01").case_id
    ct.act(case_id, "add_note", {"text": "a"})
    ct.close()
    shutil.copy(tmp_path / "live.db", tmp_path / "backup.db")
    ct = Casetracker(url, role="police", workflows=core_engine())
    ct.act(case_id, "add_note", {"text": "b"})
    ct.act(case_id, "add_note", {"text": "c"})
    checkpoint = ct.checkpoint()
    ct.close()
    shutil.copy(tmp_path / "backup.db", tmp_path / "live.db")
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"live.db{suffix}").unlink(missing_ok=True)
    ct = Casetracker(url, role="police", workflows=core_engine())
    ct.act(case_id, "add_note", {"text": "written after the restore"})
    ct.act(case_id, "add_note", {"text": "and another"})
    assert ct.verify().ok
    report = _damaged(ct, checkpoint)
    assert report.checkpoint and not report.checkpoint["ok"]
    ct.close()


def test_tampered_projection_is_caught(log, db_url):
    ct, _ = log
    tamper(db_url, "UPDATE cases SET state = '{\"case\":\"closed\"}' WHERE case_id = 'C-0000002'")
    report = _damaged(ct)
    assert ("C-0000002", 4) in {(d.case_id, d.seq) for d in report.damaged}


def test_tampered_personal_data_is_caught(log, db_url):
    ct, _ = log
    tamper(
        db_url,
        "UPDATE subjects SET data = '{\"name\":\"Someone Else\"}' WHERE case_id = 'C-0000001'",
    )
    report = _damaged(ct)
    assert any(d.case_id == "C-0000001" and "name" in d.problem for d in report.damaged)


def test_tampered_access_log_is_caught(log, db_url):
    ct, _ = log
    ct.show("C-0000001")
    ct.show("C-0000002")
    tamper(db_url, "UPDATE access_log SET \"user\" = 'ghost' WHERE position = 1")
    report = _damaged(ct)
    assert any("access log: entry 1" in p for p in report.problems)


def test_checkpoint_of_another_database_is_refused(log, tmp_path):
    _, checkpoint = log
    other = new_service(f"sqlite:///{tmp_path / 'other.db'}")
    report = other.verify(checkpoint)
    assert not report.ok and any("different database" in p for p in report.problems)
    other.close()
