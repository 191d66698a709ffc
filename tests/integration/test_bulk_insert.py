"""The bulk path (``bulk_open_cases``: ``import``, ``synth``) writes what one append at a time
writes, verifiably, on both backends; on PostgreSQL its ``COPY`` (``bulk_insert``) keeps every
guard a member of the application role is held to."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import psycopg
import pytest
import sqlalchemy as sa

from casetracker.adapters import bulk_insert
from casetracker.adapters.database import make_engine, write_transaction
from casetracker.domain import clock
from casetracker.domain.events import NewEvent
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from tests.helpers import core_engine, member_database, police_of

CASES = 7  # 7 x 5 = 35 events: two blocks of 16 leaves of the Merkle tree, and some over


def _events(n: int, user: str = "pc.jones", role: str = "police") -> list[NewEvent]:
    """Case ``n``: an opening and four notes, each with its own idempotency key (so that
    both paths write the same keys) and odd text (quotes, tabs, newlines, a backslash,
    non-ASCII: what ``COPY``'s text format must escape)."""
    opening = NewEvent(
        "case", 1, 0, "open_case", user, role, "2015-06-21",
        {"fields": {"force": "MPS", "ref": f"ref {n}"}}, f"bulk-{n}-1",
    )  # fmt: skip
    notes = [
        NewEvent(
            "case",
            1,
            0,
            "add_note",
            user,
            role,
            f"2015-07-0{i}T10:00:00Z",
            {"fields": {"text": f'note {i}: "quoted"\tTab\nline\\ Zoë \\N {n}'}},
            f"bulk-{n}-{i}",
        )
        for i in range(2, 6)
    ]
    return [opening, *notes]


def _service(url: str) -> Casetracker:
    create_database(url, "live", ("admin", "police"))
    police_of(url, "MPS")
    return Casetracker(url, role="police", workflows=core_engine())


@pytest.fixture
def two_urls(db_url: str, tmp_path) -> Iterator[tuple[str, str]]:
    """Two new databases of one backend."""
    if db_url.startswith("sqlite"):
        yield db_url, f"sqlite:///{tmp_path / 'other.db'}"
        return
    admin = sa.create_engine(db_url, isolation_level="AUTOCOMMIT")
    name = f"ct_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield db_url, sa.engine.make_url(db_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rows(ct: Casetracker) -> dict[str, list[tuple]]:
    tables = {
        "events": "SELECT * FROM events ORDER BY position",
        "cases": "SELECT * FROM cases ORDER BY case_id",
        "merkle_nodes": "SELECT * FROM merkle_nodes ORDER BY 1, 2, 3",
    }
    if ct.engine.dialect.name == "postgresql":
        tables["case_forces"] = "SELECT * FROM casetracker_guard.case_forces ORDER BY 1, 2, 3"
    with ct.engine.connect() as conn:
        return {name: [tuple(r) for r in conn.exec_driver_sql(q)] for name, q in tables.items()}


def test_bulk_writes_what_appending_one_case_at_a_time_writes(two_urls) -> None:
    clock.set_clock(lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    bulk, one_by_one = (_service(url) for url in two_urls)
    with write_transaction(bulk.engine) as conn:
        ids = bulk.store.bulk_open_cases([_events(n) for n in range(CASES)], conn)
    for n in range(CASES):
        with write_transaction(one_by_one.engine) as conn:
            one_by_one.store.append(one_by_one.store.allocate_case_id(conn), 0, _events(n), conn)
    written = _rows(bulk)
    assert len(ids) == CASES and len(written["events"]) == CASES * 5
    assert len(written["merkle_nodes"]) >= 2
    assert written == _rows(one_by_one)
    report = bulk.verify()
    assert report.ok, (report.damaged, report.problems)
    assert report.events == CASES * 5
    bulk.close()
    one_by_one.close()


def test_bulk_twice_in_one_transaction(db_url: str) -> None:
    """The staging table is gone before the second batch: nothing is written twice."""
    ct = _service(db_url)
    with write_transaction(ct.engine) as conn:
        first = ct.store.bulk_open_cases([_events(n) for n in range(2)], conn)
        second = ct.store.bulk_open_cases([_events(n) for n in range(2, 4)], conn)
    assert first + second == ["C-0000001", "C-0000002", "C-0000003", "C-0000004"]
    assert len(_rows(ct)["events"]) == 20
    assert ct.verify().ok
    ct.close()


@pytest.fixture
def member(pg_url: str) -> Iterator[tuple[str, str]]:
    """A live database and a login that is a member of its application role (casework)."""
    tag = uuid.uuid4().hex[:10]
    group, login = f"ct_app_{tag}", f"ct_m_{tag}"
    owner = make_engine(pg_url)
    try:
        with member_database(owner, pg_url, group, [(login, "Mo Member", ("police",), "MPS")]):
            yield pg_url, login
    finally:
        owner.dispose()


@pytest.mark.postgres
def test_a_member_bulk_opens_cases_through_every_guard(member) -> None:
    """``COPY FROM`` is refused on a table with row-level security; the bulk path still writes
    as a member (staged), every event of a new case past the guard's force check, and the
    guard still refuses an event in another's name, or on another force's case, writing
    nothing."""
    owner_url, login = member
    url = sa.engine.make_url(owner_url).set(username=login).render_as_string(False)
    ct = Casetracker(url, role="police", workflows=core_engine())
    many = bulk_insert.COPY_FROM  # so that the cases rows are staged too, not only events
    with write_transaction(ct.engine) as conn:
        ids = ct.store.bulk_open_cases([_events(n, login) for n in range(many)], conn)
    assert ids[:2] == ["C-0000001", "C-0000002"] and len(set(ids)) == many
    forged = [_events(many, login), _events(many + 1, "pc.jones")]
    refused = psycopg.errors.InsufficientPrivilege
    with pytest.raises(refused, match="only as themselves"), write_transaction(ct.engine) as conn:
        ct.store.bulk_open_cases(forged, conn)
    elsewhere = _events(many + 2, login)
    elsewhere[0] = replace(elsewhere[0], payload={"fields": {"force": "WMP", "ref": "x"}})
    with pytest.raises(refused, match="own force"), write_transaction(ct.engine) as conn:
        ct.store.bulk_open_cases([elsewhere], conn)
    ct.close()
    auditor = Casetracker(owner_url, role="admin", workflows=core_engine())
    written = _rows(auditor)
    assert len(written["events"]) == many * 5
    assert [row[0] for row in written["cases"]] == ids
    assert {row[0] for row in written["case_forces"]} == set(ids)  # each seen by its force
    report = auditor.verify()
    assert report.ok, (report.damaged, report.problems)
    auditor.close()


@pytest.mark.parametrize("count", [3, bulk_insert.COPY_FROM + 1])
def test_rows_come_back_as_given(db_url: str, count: int) -> None:
    """Few rows by one statement, many by ``COPY`` on PostgreSQL: either way each value as
    given - NULL, an empty string, the text ``\\N``, tabs, newlines, backslashes, non-ASCII."""
    engine = make_engine(db_url)
    odd = [None, "", "\\N", "a\tb\nc\\d", "Zoë", "'quoted' \"twice\""]
    rows = [(n, odd[n % len(odd)], None if n % 5 else 2**40 + n) for n in range(count)]
    with write_transaction(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (n integer, t text, x bigint)")
        bulk_insert.insert_rows(conn, "scratch", ("n", "t", "x"), rows)
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM scratch ORDER BY n")] == rows
    engine.dispose()


@pytest.mark.postgres
def test_a_pipelined_connection_inserts_without_copy(pg_url: str) -> None:
    """psycopg cannot ``COPY`` in pipeline mode (a kept connection's): the rows still go in,
    each round by statements of its own."""
    engine = make_engine(pg_url)
    rows = [(n % 3 + 1, f"row {n}") for n in range(bulk_insert.COPY_FROM + 1)]
    with write_transaction(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (seq integer, t text)")
        with conn.connection.driver_connection.pipeline():
            bulk_insert.insert_rows(conn, "scratch", ("seq", "t"), rows, rounds_by="seq")
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM scratch ORDER BY t")]
    assert stored == sorted(rows, key=lambda row: row[1])
    engine.dispose()
