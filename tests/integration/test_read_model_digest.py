"""The digest of a case's read-model rows kept on its projection row (``cases.rows_digest``,
migration 0026): an action on a case this process has not folded compares it instead of
reading every row back (issue 18), so it must stand for the rows the tables hold.  Kept by
the bulk path (synth, import) and by every action that writes rows; forgotten by a rebuild
and, through SQLite triggers, by any update or delete of a row; and a digest that is missing
or wrong is never trusted: the rows are compared themselves, and none rewritten that is the
same.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sqlalchemy as sa

from casetracker.adapters import deadlines, mi_model, read_models, workers, worklist
from casetracker.adapters.case_stream import case_views
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.services import work
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year
from tests.helpers import cold_note, filed_rows, in_two_processes

TABLES = (
    "worklist",
    "deadlines",
    "mi_arrests",
    "mi_people",
    "mi_referrals",
    "mi_spells",
    "mi_high_harm",
)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> str:
    """A small synthetic year, made once; each test works on a copy (``url``)."""
    path = tmp_path_factory.mktemp("digest") / "year.db"
    url = f"sqlite:///{path}"
    create_database(url, "demo")
    ct = Casetracker(url, as_user="io.demo")
    try:
        generate_year(ct, seed=5, year=2015, arrests=60, workers=1)
    finally:
        ct.close()
    return str(path)


@pytest.fixture
def url(made: str, tmp_path) -> str:
    copy = tmp_path / "year.db"
    source = sa.create_engine(f"sqlite:///{made}")
    try:
        with source.connect() as conn:
            conn.exec_driver_sql(f"VACUUM INTO '{copy}'")
    finally:
        source.dispose()
    return f"sqlite:///{copy}"


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url)


def _digests(url: str) -> dict[str, str | None]:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return {
                case_id: kept
                for case_id, kept in conn.exec_driver_sql("SELECT case_id, rows_digest FROM cases")
            }
    finally:
        engine.dispose()


def _fresh_digests(url: str) -> dict[str, str]:
    """Each case's digest as a view folded afresh from the log derives its rows."""
    ct = Casetracker(url, as_user="io.demo")
    try:
        with read_transaction(ct.engine) as conn:
            return {
                view.case_id: read_models.digest_of(
                    worklist.rows_for(view), mi_model.case_rows(view), deadlines.rows_for(view)
                )
                for view in case_views(conn, ct.flow)
            }
    finally:
        ct.close()


def _open_case(url: str) -> str:
    """An open case with worklist and report rows."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(
                "SELECT w.case_id FROM worklist w JOIN mi_arrests m ON m.case_id = w.case_id "
                'JOIN cases c ON c.case_id = w.case_id WHERE c.state LIKE \'%"case":"open"%\' '
                "ORDER BY w.case_id LIMIT 1"
            ).scalar_one()
    finally:
        engine.dispose()


def _sql(url: str, statement: str, params: tuple = ()) -> None:
    engine = _engine(url)
    try:
        with write_transaction(engine) as conn:
            conn.exec_driver_sql(statement, params)
    finally:
        engine.dispose()


@pytest.fixture
def compared(monkeypatch) -> list[str]:
    """The read models whose rows an action compared with the database's, by name."""
    calls: list[str] = []

    def counting(model: read_models.ReadModel) -> Any:
        unchanged = model.unchanged
        assert unchanged is not None

        def compare(conn: Any, case_id: str, rows: Any) -> bool:
            calls.append(model.name)
            return unchanged(conn, case_id, rows)

        return compare

    monkeypatch.setattr(
        read_models,
        "READ_MODELS",
        tuple(
            dataclasses.replace(m, unchanged=counting(m)) if m.unchanged is not None else m
            for m in read_models.READ_MODELS
        ),
    )
    return calls


def test_synth_keeps_every_case_digest_as_a_fresh_fold_derives_it(url) -> None:
    kept = _digests(url)
    assert kept and None not in kept.values()
    assert kept == _fresh_digests(url)


def test_a_cold_note_compares_the_digest_not_the_rows(url, compared) -> None:
    case_id = _open_case(url)
    before = filed_rows(url, case_id, TABLES)
    cold_note(url, case_id)
    assert compared == []
    assert filed_rows(url, case_id, TABLES) == before
    assert _digests(url)[case_id] == _fresh_digests(url)[case_id]


@pytest.mark.parametrize("stored", [None, "0" * 32], ids=["missing", "wrong"])
def test_a_missing_or_wrong_digest_is_not_trusted(url, compared, stored) -> None:
    case_id = _open_case(url)
    _sql(url, "UPDATE cases SET rows_digest = ? WHERE case_id = ?", (stored, case_id))
    before = filed_rows(url, case_id, TABLES)
    cold_note(url, case_id)
    assert sorted(compared) == sorted(m.name for m in read_models._DIGESTED)
    assert filed_rows(url, case_id, TABLES) == before  # the same rows, none rewritten
    assert _digests(url)[case_id] == _fresh_digests(url)[case_id]  # kept right again


def test_a_row_changed_behind_the_digest_forgets_it_and_is_put_right(url) -> None:
    case_id = _open_case(url)
    right = {t: [row[1:] for row in rows] for t, rows in filed_rows(url, case_id, TABLES).items()}
    _sql(url, "UPDATE worklist SET label = 'stale' WHERE case_id = ?", (case_id,))
    assert _digests(url)[case_id] is None
    cold_note(url, case_id)
    _sql(url, "DELETE FROM mi_arrests WHERE case_id = ?", (case_id,))
    assert _digests(url)[case_id] is None
    cold_note(url, case_id)
    after = {t: [row[1:] for row in rows] for t, rows in filed_rows(url, case_id, TABLES).items()}
    assert after == right


@pytest.mark.parametrize("verb", ["INSERT", "INSERT OR REPLACE"])
def test_a_row_added_behind_the_digest_forgets_it_and_is_put_right(url, verb) -> None:
    """A row another writer adds (or replaces: SQLite's REPLACE fires no delete trigger)
    forgets the digest, so the next action compares the rows and takes the stranger out."""
    case_id = _open_case(url)
    right = {t: [row[1:] for row in rows] for t, rows in filed_rows(url, case_id, TABLES).items()}
    columns = "case_id, kind, item, due, force, label"
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            due = conn.exec_driver_sql(
                f"SELECT {columns} FROM deadlines WHERE case_id = ? LIMIT 1", (case_id,)
            ).first()
    finally:
        engine.dispose()
    assert due is not None
    if verb == "INSERT":
        stranger = (case_id, "pace", "x", "2016-01-01T00:00:00Z", "GMP", "a stranger")
    else:  # the same key, another force
        stranger = (*due[:4], "GMP", due[5])
    _sql(url, f"{verb} INTO deadlines ({columns}) VALUES (?, ?, ?, ?, ?, ?)", stranger)
    assert _digests(url)[case_id] is None
    cold_note(url, case_id)
    after = {t: [row[1:] for row in rows] for t, rows in filed_rows(url, case_id, TABLES).items()}
    assert after == right
    assert _digests(url)[case_id] == _fresh_digests(url)[case_id]


def test_an_action_that_changes_rows_keeps_their_digest(url) -> None:
    case_id = _open_case(url)
    ct = Casetracker(url, as_user="io.demo")
    try:
        ct.act(case_id, "add_note", {"text": "seen"})  # the view is kept: the next is warm
        with read_transaction(ct.engine) as conn:
            view = ct.flow.fold(case_id, ct.store.read_case(case_id, conn))
        row = worklist.rows_for(view)[0]
        work.claim(ct, case_id, row.queue, row.item)
    finally:
        ct.close()
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            owners = conn.exec_driver_sql(
                "SELECT owner FROM worklist WHERE case_id = ?", (case_id,)
            ).scalars()
            assert "io.demo" in list(owners)
    finally:
        engine.dispose()
    assert _digests(url)[case_id] == _fresh_digests(url)[case_id]


def _triggers(url: str) -> list[Any]:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
                )
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("processes", [1, 2])
def test_a_rebuild_keeps_every_digest_and_its_triggers(
    url, compared, monkeypatch, processes
) -> None:
    triggers = _triggers(url)
    _sql(url, "UPDATE cases SET rows_digest = '0' WHERE case_id = (SELECT min(case_id) FROM cases)")
    adopted = in_two_processes(monkeypatch) if processes == 2 else []
    if processes == 1:
        monkeypatch.setattr(workers, "PARALLEL_FROM", 2**62)
    ct = Casetracker(url, as_user="io.demo")
    try:
        ct.rebuild()
    finally:
        ct.close()
    assert bool(adopted and adopted[-1] is not None) == (processes == 2)
    assert _digests(url) == _fresh_digests(url)
    after = _triggers(url)
    assert after == triggers
    forgetting = ("insert", "update", "delete")
    assert {f"{t}_forgets_digest_on_{v}" for t in TABLES for v in forgetting} <= {
        name for name, _ in after
    }
    case_id = _open_case(url)
    cold_note(url, case_id)
    assert compared == []
    assert _digests(url)[case_id] == _fresh_digests(url)[case_id]
