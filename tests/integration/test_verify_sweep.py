"""The verifier's fast sweep: on an intact log it gives the walk's summary; on a damaged one the
report is the walk's, word for word (the sweep may only say "not sure", never hide damage)."""

from __future__ import annotations

from unittest import mock

import pytest

from casetracker.adapters.database import read_transaction
from casetracker.domain.errors import DatabaseError
from casetracker.integrity.batch_checks import (
    _sweep_range,
    access_log_intact,
    check_range,
    sweep,
    sweep_query,
    totals_query,
)
from casetracker.integrity.dbapi import batches, first_row
from casetracker.integrity.encoding import STORED_FIELDS, stored_hash
from casetracker.integrity.event_checks import COLUMNS, Part, cases_query
from tests.helpers import new_service
from tests.integration.tamper import rows, tamper


def _build(url):
    """Cases of different lengths, interleaved, with personal data."""
    ct = new_service(url)
    ids = [ct.open_case({"name": f"Person {i}"}, "2014-01-01").case_id for i in range(5)]
    for n in range(4):
        for i, case_id in enumerate(ids):
            if n < i:
                ct.act(case_id, "add_note", {"text": f"note {n}"}, "2014-02-01")
    return ct


@pytest.fixture
def service(db_url):
    ct = _build(db_url)
    yield ct
    ct.close()


@pytest.fixture
def sqlite_service(sqlite_url):
    """The same log on SQLite only, which keeps any type of value in any column."""
    ct = _build(sqlite_url)
    yield ct
    ct.close()


def _sweep(ct, at: int = 0) -> Part | None:
    with read_transaction(ct.engine) as conn:
        raw = conn.connection.dbapi_connection
        projected = {
            r[0]: tuple(r[1:]) for rows in batches(raw, cases_query(None, None)[0]) for r in rows
        }
        table = ct.flow.replay_table()
        return _sweep_range(raw, None, None, table, ct.info.realm, at, projected)


def _walk(ct, at: int = 0) -> Part:
    with (
        read_transaction(ct.engine) as conn,
        mock.patch("casetracker.integrity.batch_checks._sweep_range", return_value=None),
    ):
        raw = conn.connection.dbapi_connection
        return check_range(raw, None, None, ct.flow.replay_table(), ct.info.realm, at)


def _summary(part: Part) -> dict:
    return {
        "events": part.events,
        "cases": part.cases,
        "last_position": part.last_position,
        "positions_sum": part.positions_sum,
        "events_at_checkpoint": part.events_at_checkpoint,
        "heads_at_checkpoint": sorted(part.heads_at_checkpoint),
        "damaged": part.damaged,
        "orphans": part.orphans,
        "subjects": part.subjects,
    }


def _check(ct, at: int = 0) -> Part:
    with read_transaction(ct.engine) as conn:
        raw = conn.connection.dbapi_connection
        return check_range(raw, None, None, ct.flow.replay_table(), ct.info.realm, at)


@pytest.mark.parametrize("at", [0, 7, 15])
def test_on_an_intact_log_the_sweep_gives_exactly_the_walks_summary(service, at):
    swept = _sweep(service, at)
    assert swept is not None
    assert swept.events == 15 and swept.cases == 5
    assert len(swept.personal) == 5  # the subjects' digests were collected
    assert _summary(_check(service, at)) == _summary(_walk(service, at))


def test_a_changed_subject_record_is_found_by_either_path(service, db_url):
    tamper(db_url, "UPDATE subjects SET data = replace(data, 'Person 3', 'Person X')")
    assert _sweep(service) is not None  # the chains themselves are intact
    swept, walked = _check(service), _walk(service)
    assert (
        swept.subjects
        == walked.subjects
        == {"C-0000004": ["subject field 'name' does not match the log"]}
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = payload || ' ' WHERE position = 9",
        "UPDATE events SET stamp = 'x' || stamp WHERE position = 1",
        "UPDATE events SET hash = prev_hash WHERE position = 15",
        "DELETE FROM events WHERE position = 6",
        "UPDATE events SET seq = 9 WHERE position = 15",
        "UPDATE events SET step = 'demo' || substr(step, 5) WHERE position = 3",
        "UPDATE cases SET state = '{}' WHERE case_id = 'C-0000002'",
        "UPDATE cases SET version = 1 WHERE case_id = 'C-0000005'",
        "DELETE FROM cases WHERE case_id = 'C-0000004'",
        "INSERT INTO cases (case_id, version, head_hash, head_position, opened, updated, state) "
        "SELECT 'C-0000099', version, head_hash, head_position, opened, "
        "updated, state FROM cases WHERE case_id = 'C-0000001'",
        "UPDATE events SET step = replace(step, 'add_note', 'open_case') WHERE position = 14",
    ],
)
def test_the_sweep_is_unsure_of_every_damaged_log(service, db_url, statement):
    tamper(db_url, statement)
    assert _sweep(service) is None
    assert not service.verify().ok


def _access_log_intact(ct) -> bool:
    with read_transaction(ct.engine) as conn:
        return access_log_intact(conn.connection.dbapi_connection)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET justification = 'x' WHERE position = 2",
        "UPDATE access_log SET position = 9 WHERE position = 3",
        "DELETE FROM access_log WHERE position = 2",
        "UPDATE access_log SET prev_hash = hash WHERE position = 2",
    ],
)
def test_the_access_log_sweep_passes_an_intact_log_and_nothing_else(service, db_url, statement):
    for case_id in ("C-0000001", "C-0000002", "C-0000003"):
        service.show(case_id)
    assert _access_log_intact(service)
    tamper(db_url, statement)
    assert not _access_log_intact(service)
    assert any(p.startswith("access log:") for p in service.verify().problems)


_SQLITE_RETYPED = [
    "UPDATE events SET hash = CAST(hash AS BLOB) WHERE position = 4",
    "UPDATE events SET prev_hash = CAST(prev_hash AS BLOB) WHERE position = 4",
    "UPDATE events SET seq = CAST(seq AS BLOB) WHERE position = 4",
    "UPDATE events SET step = CAST(step AS BLOB) WHERE position = 4",
    "UPDATE events SET stamp = CAST(stamp AS BLOB) WHERE position = 4",
    "UPDATE events SET payload = CAST(payload AS BLOB) WHERE position = 4",
    "UPDATE events SET hash = X'FF' WHERE position = 4",
    "UPDATE cases SET head_hash = CAST(head_hash AS BLOB) WHERE case_id = 'C-0000003'",
    "UPDATE cases SET case_id = CAST(case_id AS BLOB) WHERE case_id = 'C-0000003'",
]


@pytest.mark.parametrize("statement", _SQLITE_RETYPED)
def test_a_value_of_another_type_with_the_same_bytes_is_not_intact(
    sqlite_service, sqlite_url, statement
):
    """SQLite keeps any type in any column: a BLOB (or a text number) with the very bytes of the
    original is read the same by a sweep, but it is not what was written."""
    tamper(sqlite_url, statement)
    assert _sweep(sqlite_service) is None
    assert not sqlite_service.verify().ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET hash = CAST(hash AS BLOB) WHERE position = 2",
        "UPDATE access_log SET justification = CAST(justification AS BLOB) WHERE position = 2",
        "UPDATE access_log SET hash = X'FF' WHERE position = 2",
    ],
)
def test_an_access_log_value_of_another_type_is_not_intact(sqlite_service, sqlite_url, statement):
    for case_id in ("C-0000001", "C-0000002"):
        sqlite_service.show(case_id)
    tamper(sqlite_url, statement)
    assert not _access_log_intact(sqlite_service)
    assert any(p.startswith("access log:") for p in sqlite_service.verify().problems)


def _rehash_head(url: str, case_id: str, **changes: object) -> int:
    """Change the last event of a case and recompute its hash over what the verifier would
    format (and the projection's head hash), as someone who knows the encoding could; returns
    the event's position."""
    (stored,) = rows(
        url,
        f"SELECT {', '.join(COLUMNS)} FROM events WHERE case_id = '{case_id}' "
        "ORDER BY seq DESC LIMIT 1",
    )
    row = dict(zip(COLUMNS, stored, strict=True))
    row.update(changes)
    row["hash"] = stored_hash(tuple(row[f] for f in STORED_FIELDS))
    assignments = ", ".join(f"{c} = :{c}" for c in changes)
    tamper(
        url,
        f"UPDATE events SET {assignments}, hash = :hash WHERE position = :position",
        "UPDATE cases SET head_hash = :hash WHERE case_id = :case_id",
        params=[row, row],
    )
    return row["position"]


def _head(url: str, case_id: str, column: str) -> object:
    query = f"SELECT {column} FROM events WHERE case_id = '{case_id}' ORDER BY seq DESC LIMIT 1"
    return rows(url, query)[0][0]


@pytest.mark.parametrize(
    ("column", "before", "after"),
    [
        ("step", "\x1f1\x1f", "\x1f01\x1f"),  # a number not in its one decimal form
        ("step", "\x1f1\x1f", "\x1f1_0\x1f"),
        ("stamp", "\x1f", "/"),  # a stamp of three texts, not four
    ],
)
def test_a_rehashed_step_or_stamp_not_in_the_stored_form_is_refused(
    service, db_url, column, before, after
):
    """Whoever can recompute the hash of the last event of a case (and its projection row)
    still cannot store a step or stamp that the store would never write."""
    value = _head(db_url, "C-0000001", column)
    _rehash_head(db_url, "C-0000001", **{column: value.replace(before, after, 1)})
    assert _sweep(service) is None
    report = service.verify()
    assert [(d.case_id, d.seq) for d in report.damaged] == [("C-0000001", 1)]
    assert "not in the form the store writes" in report.damaged[0].problem


def test_stamps_that_make_up_for_each_other_are_both_refused(service, db_url):
    """One stamp of three texts and one of five: a count over the whole batch would balance."""
    short = _head(db_url, "C-0000001", "stamp").replace("\x1f", "/", 1)
    _rehash_head(db_url, "C-0000001", stamp=short)
    _rehash_head(db_url, "C-0000002", stamp=_head(db_url, "C-0000002", "stamp") + "\x1fx")
    assert _sweep(service) is None
    assert {d.case_id for d in service.verify().damaged} == {"C-0000001", "C-0000002"}


@pytest.mark.parametrize("column", ["idempotency_key", "payload", "step", "stamp", "prev_hash"])
def test_a_rehashed_value_of_another_type_is_refused(sqlite_service, sqlite_url, column):
    """A BLOB with the bytes of the text, hashed over the text the verifier formats it as: the
    store never writes one, and a reader would show ``b'...'``."""
    position = _rehash_head(
        sqlite_url, "C-0000001", **{column: _head(sqlite_url, "C-0000001", column).encode()}
    )
    assert _sweep(sqlite_service) is None
    [damage] = sqlite_service.verify().damaged
    assert damage.position == position
    with pytest.raises(DatabaseError, match="cannot be read"):
        sqlite_service.history("C-0000001")  # a reader never shows it as if it were text


@pytest.mark.parametrize("column", ["payload", "stamp", "case_id"])
def test_text_that_is_not_utf8_is_named_not_a_crash(sqlite_service, sqlite_url, column):
    tamper(
        sqlite_url,
        f"UPDATE events SET {column} = CAST({column} || X'FF' AS TEXT) WHERE position = 6",
    )
    assert not sqlite_service.verify().ok
    assert 6 in {d.position for d in sqlite_service.verify().damaged}


def test_rebuild_refuses_an_unreadable_stamp_with_a_message(sqlite_service, sqlite_url):
    tamper(sqlite_url, "UPDATE events SET stamp = CAST(stamp AS BLOB) WHERE position = 1")
    with pytest.raises(DatabaseError, match="cannot rebuild: C-0000001"):
        sqlite_service.rebuild()


@pytest.mark.parametrize(
    "retype",
    [
        "seq TYPE text USING seq::text",
        "seq TYPE numeric",  # reads as Decimal, which equals the int it was
        "position TYPE numeric",
        "stamp TYPE bytea USING convert_to(stamp, 'UTF8')",
    ],
)
def test_a_column_retyped_on_postgresql_is_not_intact(pg_url, retype):
    ct = new_service(pg_url)
    try:
        ct.open_case({"name": "Person"}, "2014-01-01")
        tamper(pg_url, f"ALTER TABLE events ALTER COLUMN {retype}")
        assert _sweep(ct) is None
        assert not ct.verify().ok
    finally:
        ct.close()


def _swept_in_batches(ct, size: int) -> Part | None:
    """A sweep of the whole log fetched ``size`` rows at a time."""
    with read_transaction(ct.engine) as conn:
        raw = conn.connection.dbapi_connection
        projected = {
            r[0]: tuple(r[1:]) for rows in batches(raw, cases_query(None, None)[0]) for r in rows
        }
        totals = first_row(raw, *totals_query(None, None, conn.dialect.name))
        found = batches(raw, *sweep_query(None, None), size)
        return sweep(found, projected, ct.flow.replay_table(), ct.info.realm, totals)


def test_a_case_longer_than_the_sweep_takes_is_left_to_the_walk(service, monkeypatch):
    """Cases of 1 to 5 events fetched two rows at a time: a case is carried from batch to
    batch until its last event, and one longer than ``LONGEST_SWEPT_CASE`` makes it unsure."""
    whole = _swept_in_batches(service, 1000)
    assert whole is not None
    assert _summary(_swept_in_batches(service, 2)) == _summary(whole)
    monkeypatch.setattr("casetracker.integrity.batch_checks.LONGEST_SWEPT_CASE", 3)
    assert _swept_in_batches(service, 2) is None
    assert service.verify().ok  # walked instead


def test_a_bounded_memory_of_replays_gives_the_same_answers(service, monkeypatch):
    kept = _summary(_walk(service))
    with service.engine.connect() as conn:
        table = conn.exec_driver_sql("SELECT * FROM cases ORDER BY case_id").all()
    for module in ("integrity.batch_checks", "integrity.replay"):
        monkeypatch.setattr(f"casetracker.{module}.REPLAY_MEMO_LIMIT", 1)
    assert _sweep(service) is not None
    assert _summary(_check(service)) == kept
    service.rebuild()
    with service.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT * FROM cases ORDER BY case_id").all() == table
