"""On SQLite ``flow_steps`` is caught up from the log by its readers, not written by each action
(``flow_model.catch_up``; the mark is the ``meta`` row ``flow_steps_through``, migration 0022).

Held here: an action writes no flow row and leaves the mark; a reader's catch-up gives exactly
the table filled from the log and moves the mark to the log's end, in chunks when far behind,
and does nothing (no write transaction) when nothing is behind; a bulk write moves the mark
only when it was at the log's end; ``rebuild`` sets it; a missing or altered mark makes the
table derived again whole; and a database that cannot be written (read-only, damaged) gets the
graph computed from the log - the same graph, with a note that says so - never a stale one or
a traceback."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from casetracker.adapters import flow_model
from casetracker.adapters.database import DAMAGE_MARKER, read_transaction, write_transaction
from casetracker.domain.identity import seeded_user
from casetracker.services import flow as flow_service
from casetracker.services.cases import Casetracker
from casetracker.services.synthetic_year import generate_year
from tests.helpers import new_service
from tests.mi.conftest import build

WHEN = ["2015-06-21T10:00", "2015-06-20", "2015-07", "2017-03-04T11:00/2017-03-05T12:00"]


@pytest.fixture
def ct(sqlite_url: str) -> Iterator[Casetracker]:
    service = new_service(sqlite_url)
    yield service
    service.close()


def _notes(ct: Casetracker, cases: int = 3, notes: int = 4) -> list[str]:
    ids = [ct.open_case({"name": f"p{i}"}, "2015-06-21").case_id for i in range(cases)]
    for i in range(notes * cases):
        ct.act(ids[i % cases], "add_note", {"text": "seen"}, WHEN[i % len(WHEN)])
    return ids


def _table(engine: sa.Engine) -> list[tuple]:
    with read_transaction(engine) as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql("SELECT * FROM flow_steps"))


def _mark_and_end(engine: sa.Engine) -> tuple[str | None, int]:
    with read_transaction(engine) as conn:
        mark = conn.exec_driver_sql(
            "SELECT value FROM meta WHERE key = ?", (flow_model.MARK,)
        ).scalar()
        end = conn.exec_driver_sql("SELECT max(position) FROM events").scalar()
    return mark, int(end or 0)


def _from_the_log(engine: sa.Engine) -> list[tuple]:
    """What the table holds when derived again from every event."""
    with write_transaction(engine) as conn:
        flow_model.clear(conn)
        flow_model.fill(conn)
        flow_model.mark_complete(conn)
    return _table(engine)


def _graphs(ct: Casetracker, **options: Any) -> tuple[Any, Any]:
    stored = flow_service.read_flow(ct, **options)
    with read_transaction(ct.engine) as conn:
        return stored, flow_service.flow_from_log(conn, ct.flow, **options)


@contextmanager
def _no_write_transaction(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(engine: Any) -> Any:
        raise AssertionError("a write transaction where nothing was behind")

    with monkeypatch.context() as patched:
        patched.setattr(flow_model, "write_transaction", refuse)
        yield


def test_actions_write_no_flow_rows_and_the_reader_catches_up(ct, monkeypatch) -> None:
    mark, _ = _mark_and_end(ct.engine)  # a new database: complete through its empty log
    assert mark == "0"
    _notes(ct)
    assert _table(ct.engine) == [] and _mark_and_end(ct.engine)[0] == "0"
    stored, logged = _graphs(ct)
    assert stored == logged and stored.events == 15 and not stored.from_log
    mark, end = _mark_and_end(ct.engine)
    assert mark == str(end)
    caught_up = _table(ct.engine)
    assert caught_up == _from_the_log(ct.engine)
    with _no_write_transaction(monkeypatch):  # nothing behind: one read, nothing written
        assert flow_model.catch_up(ct.engine)
        stored, logged = _graphs(ct, lifecycle="case")
        assert stored == logged and stored.traces == 3
    assert _table(ct.engine) == caught_up


def test_a_long_way_behind_is_caught_up_in_chunks(ct, monkeypatch) -> None:
    _notes(ct, cases=4, notes=5)
    monkeypatch.setattr(flow_model, "CATCH_UP_CHUNK", 3)  # 24 events: 8 transactions
    begun: list[int] = []
    real = flow_model.write_transaction

    def counted(engine: Any) -> Any:
        begun.append(1)
        return real(engine)

    monkeypatch.setattr(flow_model, "write_transaction", counted)
    assert flow_model.catch_up(ct.engine)
    assert len(begun) == 8
    caught_up = _table(ct.engine)
    assert _mark_and_end(ct.engine)[0] == str(_mark_and_end(ct.engine)[1])
    assert caught_up == _from_the_log(ct.engine)


@pytest.mark.parametrize("altered", [None, "garbage", "-1", "999999"])
def test_a_missing_or_altered_mark_derives_the_table_again(ct, altered) -> None:
    _notes(ct)
    assert flow_model.catch_up(ct.engine)
    expected = _table(ct.engine)
    with write_transaction(ct.engine) as conn:
        conn.exec_driver_sql("DELETE FROM flow_steps WHERE step > 1")  # anything but the log's
        conn.exec_driver_sql("INSERT INTO flow_steps VALUES ('C-X', '', 0, 0, 2015, 'x', "
                             "NULL, NULL, 0)")  # fmt: skip
        if altered is None:
            conn.exec_driver_sql("DELETE FROM meta WHERE key = ?", (flow_model.MARK,))
        else:
            conn.exec_driver_sql(
                "UPDATE meta SET value = ? WHERE key = ?", (altered, flow_model.MARK)
            )
    assert flow_model.catch_up(ct.engine)
    assert _table(ct.engine) == expected
    assert _mark_and_end(ct.engine)[0] == str(_mark_and_end(ct.engine)[1])


def test_a_bulk_write_keeps_the_mark_only_when_it_was_at_the_end(tmp_path) -> None:
    year = build(str(tmp_path / "year.db"), 20, seed=3, workers=1)  # caught up before: still
    admin = Casetracker(year.url, as_user="admin.demo")
    police = Casetracker(year.url, as_user=seeded_user("police", "MPS"))
    try:
        mark, end = _mark_and_end(admin.engine)
        assert mark == str(end)
        assert _table(admin.engine) == _from_the_log(admin.engine)
        opened = police.open_case({"name": "A Person"}, "2015-03")
        police.act(opened.case_id, "add_note", {"text": "seen"}, "2015-02-01")  # behind now
        generate_year(admin, seed=4, year=2015, arrests=20, workers=1)
        assert _mark_and_end(admin.engine)[0] == mark  # the notes are still to be caught up
        stored, logged = _graphs(admin)
        assert stored == logged and not stored.from_log
        assert _mark_and_end(admin.engine)[0] == str(_mark_and_end(admin.engine)[1])
        assert any(row[0] == opened.case_id for row in _table(admin.engine))
        assert _table(admin.engine) == _from_the_log(admin.engine)
    finally:
        admin.close()
        police.close()


def test_rebuild_sets_the_mark(ct, monkeypatch) -> None:
    _notes(ct)
    with write_transaction(ct.engine) as conn:
        conn.exec_driver_sql("DELETE FROM flow_steps")
    ct.rebuild()
    mark, end = _mark_and_end(ct.engine)
    assert mark == str(end)
    rebuilt = _table(ct.engine)
    with _no_write_transaction(monkeypatch):
        assert flow_model.catch_up(ct.engine)
    assert rebuilt == _from_the_log(ct.engine)


def _read_only(ct: Casetracker) -> None:
    """Every new connection of the service refuses writes, as a read-only file's does (the
    tests run as root, whom file permissions do not stop)."""
    ct.engine.dispose()
    sa.event.listen(ct.engine, "connect", _query_only)


def _query_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only = ON")


def _damaged(ct: Casetracker) -> None:
    """The marker verify leaves beside a file it found damaged: every write is refused."""
    path = Path(str(ct.engine.url.database))
    path.with_name(path.name + DAMAGE_MARKER).write_text("an index page is broken\n")


@pytest.mark.parametrize("unwritable", [_read_only, _damaged])
def test_an_unwritable_database_gets_the_graph_from_the_log(ct, unwritable) -> None:
    _notes(ct)
    assert flow_model.catch_up(ct.engine)
    ct.act(_notes(ct, cases=1, notes=1)[0], "add_note", {"text": "later"}, "2016-02-01")
    unwritable(ct)
    assert not flow_model.catch_up(ct.engine)
    for options in ({}, {"lifecycle": "case"}, {"year": 2015}):
        stored, logged = _graphs(ct, **options)
        assert stored == logged and stored.from_log == flow_service.FROM_LOG
    assert flow_service.FROM_LOG in flow_service.flow_table(stored).notes
    mark, end = _mark_and_end(ct.engine)
    assert mark != str(end)  # nothing written


def test_the_cli_says_where_the_graph_came_from(run, tmp_path) -> None:
    db = str(tmp_path / "cli.db")
    assert run("--db", db, "init", "--roles", "casework,auditor").code == 0
    opened = run("--db", db, "--role", "casework", "case", "open", "--field", "name=Sam",
                 "--effective", "2015-06-01")  # fmt: skip
    assert opened.code == 0, opened.err
    Path(db + DAMAGE_MARKER).write_text("found damaged\n")
    result = run("--db", db, "--role", "auditor", "report", "flow")
    assert result.code == 0 and result.err == ""
    assert "Computed from the log" in result.out and "1 traces, 1 steps" in result.out
    Path(db + DAMAGE_MARKER).unlink()
    result = run("--db", db, "--role", "auditor", "report", "flow")
    assert result.code == 0 and "Computed from the log" not in result.out
    assert "1 traces, 1 steps" in result.out


def _migration_0022() -> Any:
    path = Path(flow_model.__file__).parent / "migrations" / "versions" / "0022_flow_steps_mark.py"
    spec = importlib.util.spec_from_file_location("migration_0022", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("held", [None, "3"])
def test_migration_0022_starts_the_mark_at_the_logs_end(sqlite_url, held) -> None:
    """Revision 0022 alone, on a log whose table every action kept (so complete): the mark at
    the log's end, whether the row is missing or copied from another database's ``meta``."""
    ct = new_service(sqlite_url)
    try:
        _notes(ct)
        assert flow_model.catch_up(ct.engine)
        _, end = _mark_and_end(ct.engine)
    finally:
        ct.close()
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM meta WHERE key = ?", (flow_model.MARK,))
            if held is not None:
                conn.exec_driver_sql("INSERT INTO meta VALUES (?, ?)", (flow_model.MARK, held))
            with Operations.context(MigrationContext.configure(conn)):
                _migration_0022().upgrade()
            found = conn.exec_driver_sql(
                "SELECT value FROM meta WHERE key = ?", (flow_model.MARK,)
            ).scalar()
        assert found == str(end)
    finally:
        engine.dispose()
