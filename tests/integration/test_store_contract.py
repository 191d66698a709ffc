"""The event store's contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casetracker.domain.errors import (
    ActionBlocked,
    Conflict,
    DatabaseError,
    IdempotencyMismatch,
    NotPermitted,
    UnknownCase,
    UsageError,
)
from casetracker.domain.events import NewEvent
from casetracker.integrity.encoding import GENESIS, event_hash, hashed_values
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine, new_service


@pytest.fixture
def ct(db_url):
    service = new_service(db_url)
    yield service
    service.close()


def _open(ct: Casetracker, name: str = "A Person") -> str:
    return ct.open_case({"name": name, "force": "MPS"}, "2013-07-16").case_id


def _count(ct: Casetracker, table: str) -> int:
    with ct.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def test_events_carry_every_field_and_chain(ct):
    case_id = _open(ct)
    ct.act(case_id, "add_note", {"text": "one"}, "2013-07-17T10:00")
    events = ct.history(case_id)
    assert [e.seq for e in events] == [1, 2]
    assert [e.position for e in events] == [1, 2]
    first, second = events
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert first.workflow == "case" and first.workflow_version == 1
    assert (first.actor_user, first.actor_role) == (ct.actor.user, "police")
    assert first.effective == "2013-07-16" and second.effective == "2013-07-17T09:00:00Z"
    assert first.recorded.endswith("Z") and first.idempotency_key == ""  # none was given
    assert first.realm == "live"
    for e in events:
        assert event_hash(hashed_values(e)) == e.hash


def test_personal_data_never_enters_the_chain(ct):
    case_id = ct.open_case({"name": "Zebedee Quux", "nationality": "Freedonia"}).case_id
    with ct.engine.connect() as conn:
        stored = " ".join(map(str, conn.execute(sa.text("SELECT * FROM events")).one()))
    assert "Zebedee" not in stored and "Freedonia" not in stored
    assert ct.show(case_id, reason="identify him").subject == {
        "name": "Zebedee Quux",
        "nationality": "Freedonia",
    }
    assert ct.show(case_id).subject is None  # withheld without a reason


def test_erasure_keeps_every_chain_verifiable(ct, db_url):
    admin = Casetracker(db_url, role="admin", workflows=core_engine())
    case_id = _open(ct, "Erase Me")
    admin.act(case_id, "erase_subject", {"legal_basis": "court order 12"})
    summary = admin.show(case_id, reason="check erasure")
    assert summary.subject is None and summary.subject_erased
    with ct.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT salt, data FROM subjects")).one()
    assert row == (None, None)
    assert ct.verify().ok
    admin.close()


def test_correction_is_a_new_event_and_verifies(ct):
    case_id = _open(ct, "Jon Smiht")
    ct.act(case_id, "correct_subject", {"name": "Jon Smith", "reason": "typo"})
    assert ct.show(case_id, reason="check").subject["name"] == "Jon Smith"
    assert ct.verify().ok


def test_stale_write_conflicts_naming_the_newer_event_and_writes_nothing(ct):
    case_id = _open(ct)
    ct.act(case_id, "add_note", {"text": "first"}, expected_version=1)
    before = _count(ct, "events")
    with pytest.raises(Conflict) as caught:
        ct.act(case_id, "add_note", {"text": "stale"}, expected_version=1)
    assert "event 2 of" in str(caught.value) and "add_note" in str(caught.value)
    assert _count(ct, "events") == before


def test_store_level_conflict_on_stale_version(ct):
    case_id = _open(ct)
    new = NewEvent("case", 1, 0, "add_note", "u", "police", "2013-07-16", {"fields": {"text": "x"}})
    ct.store.append(case_id, 1, [new])
    with pytest.raises(Conflict):
        ct.store.append(case_id, 1, [new])
    with pytest.raises(Conflict):
        ct.store.append(case_id, 0, [new])  # "new case" with an id that exists


def test_retry_with_same_idempotency_key_is_recorded_once(ct):
    case_id = _open(ct)
    first = ct.act(case_id, "add_note", {"text": "x"}, idempotency_key="retry-1")
    again = ct.act(case_id, "add_note", {"text": "x"}, idempotency_key="retry-1")
    assert again.replayed and again.events == first.events
    assert _count(ct, "events") == 2
    with pytest.raises(IdempotencyMismatch):
        ct.act(case_id, "close_case", {"reason": "x"}, idempotency_key="retry-1")


def test_projection_is_updated_with_each_event_and_rebuild_agrees(ct):
    case_id = _open(ct)
    ct.act(case_id, "add_note", {"text": "x"})
    head = ct.store.case_head(case_id)
    assert head.version == 2 and head.state == {"case": "open"}
    assert ct.rebuild() == 1
    assert ct.store.case_head(case_id) == head
    assert ct.verify().ok


def test_unknown_case_and_unknown_action(ct):
    with pytest.raises(UnknownCase):
        ct.show("C-9999999")
    with pytest.raises(UnknownCase):
        ct.act("C-9999999", "add_note", {"text": "x"})
    case_id = _open(ct)
    with pytest.raises(UsageError, match="unknown action"):
        ct.act(case_id, "teleport", {})


def test_bad_inputs_are_usage_errors(ct):
    case_id = _open(ct)
    with pytest.raises(UsageError, match="future"):
        ct.act(case_id, "add_note", {"text": "x"}, "2999-01-01")
    with pytest.raises(UsageError, match="cannot read"):
        ct.act(case_id, "add_note", {"text": "x"}, "last tuesday")
    with pytest.raises(UsageError, match=r"Add a note needs Note \(field 'text'\)"):
        ct.act(case_id, "add_note", {})
    with pytest.raises(UsageError, match="no field"):
        ct.act(case_id, "add_note", {"text": "x", "colour": "red"})
    with pytest.raises(UsageError, match="date"):
        ct.act(case_id, "correct_subject", {"date_of_birth": "31/02/1990", "reason": "x"})
    assert _count(ct, "events") == 1


def test_forbidden_role_is_refused_and_logged(ct):
    case_id = _open(ct)
    with pytest.raises(NotPermitted, match="police role may not"):
        ct.act(case_id, "erase_subject", {"legal_basis": "x"})
    assert _count(ct, "events") == 1
    entries = _admin(ct).access_entries(case_id)
    assert any(e.action == "denied" and "erase_subject" in e.detail for e in entries)


def test_state_blocks_give_reasons(ct):
    case_id = _open(ct)
    Casetracker(ct.url, role="casework", workflows=core_engine()).act(
        case_id, "close_case", {"reason": "done"}
    )
    with pytest.raises(ActionBlocked, match="Closed; this needs Open"):
        ct.act(case_id, "add_note", {"text": "x"})


def _admin(ct: Casetracker) -> Casetracker:
    return Casetracker(ct.url, role="admin", workflows=core_engine())


def test_only_auditors_read_the_access_log_and_a_refusal_is_logged(ct):
    case_id = _open(ct)
    with pytest.raises(NotPermitted, match="police role may not read the access log"):
        ct.access_entries(case_id)
    entries = _admin(ct).access_entries(None)
    assert any(e.action == "denied" and "read the access log" in e.detail for e in entries)


def test_reads_are_logged(ct):
    case_id = _open(ct)
    ct.show(case_id, reason="checking identity")
    ct.history(case_id)
    ct.replay(case_id, as_of="2014-01-01")
    actions = [e.action for e in _admin(ct).access_entries(case_id)]
    assert actions[:3] == ["show", "history", "replay"]
    shown = _admin(ct).access_entries(case_id)[0]
    assert shown.justification == "checking identity" and shown.user == ct.actor.user


def test_replay_as_of_and_recorded_as_of(ct):
    from datetime import UTC, datetime

    from casetracker.domain import clock as clk

    clk.set_clock(lambda: datetime(2020, 1, 1, 12, tzinfo=UTC))
    case_id = _open(ct)
    clk.set_clock(lambda: datetime(2020, 1, 2, 12, tzinfo=UTC))
    ct.act(case_id, "add_note", {"text": "later"}, "2019-06-01")
    Casetracker(ct.url, role="casework", workflows=core_engine()).act(
        case_id, "close_case", {"reason": "done"}, "2019-12-01"
    )
    view, events = ct.replay(case_id, as_of="2019-07-01")
    assert view.instances["case"].state == "open" and len(events) == 2
    view, events = ct.replay(case_id, recorded_as_of="2020-01-01T13:00Z")
    assert len(events) == 1
    view, _ = ct.replay(case_id)
    assert view.instances["case"].state == "closed"


def test_database_not_ours_and_missing(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"hello, this is not sqlite at all" * 10)
    before = junk.read_bytes()
    with pytest.raises(DatabaseError, match="not a casetracker database"):
        Casetracker(f"sqlite:///{junk}", workflows=core_engine())
    assert junk.read_bytes() == before
    with pytest.raises(DatabaseError, match="no database"):
        Casetracker(f"sqlite:///{tmp_path / 'missing.db'}", workflows=core_engine())
    assert not (tmp_path / "missing.db").exists()


def test_foreign_sqlite_database_is_refused_untouched(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="belongs to something else"):
        Casetracker(f"sqlite:///{path}", workflows=core_engine())
    assert path.read_bytes() == before


def test_newer_schema_is_refused(db_url):
    ct = new_service(db_url)
    with ct.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    ct.close()
    with pytest.raises(DatabaseError, match="newer than this casetracker"):
        Casetracker(db_url, workflows=core_engine())


def test_live_database_refuses_impersonation(db_url):
    ct = new_service(db_url)
    with pytest.raises(NotPermitted, match="only for demo and training"):
        _ = Casetracker(db_url, as_user="someone-else", workflows=core_engine()).actor
    ct.close()


def test_user_must_hold_the_role(db_url):
    ct = new_service(db_url, roles=("police",))
    with pytest.raises(NotPermitted, match="does not hold the auditor role"):
        _ = Casetracker(db_url, role="auditor", workflows=core_engine()).actor
    ct.close()
