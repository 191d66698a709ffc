"""Upgrading a log written before revision 0004 (one column per event field): every chain still
verifies, against the same checkpoint; every event reads the same; damage done before the
upgrade is still found after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from casetracker.adapters.database import make_engine
from casetracker.adapters.schema import alembic_config
from casetracker.domain.errors import DatabaseError
from casetracker.integrity.encoding import EVENT_FIELDS, canonical_json
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from tests.helpers import core_engine, new_service, police_of
from tests.integration.tamper import tamper

_KEPT = ("meta", "users", "subjects", "cases", "access_log")


def _capture(url: str) -> tuple[dict, dict, list]:
    """Everything in a database written by today's code: its tables' rows, and its events."""
    ct = new_service(url)
    # every event then had a key (an event without one was given one made up until 0027)
    ids = [
        ct.open_case({"name": f"Person {i}"}, f"2014-01-0{i + 1}", f"open {i}").case_id
        for i in range(3)
    ]
    for n in range(2):
        for case_id in ids:
            ct.act(case_id, "add_note", {"text": f"note {n}"}, f"2014-02-0{n + 1}",
                   idempotency_key=f"note {n} {case_id}")  # fmt: skip
    ct.show(ids[0])
    checkpoint = ct.checkpoint()
    history = {case_id: ct.store.read_case(case_id) for case_id in ids}
    with ct.engine.connect() as conn:
        tables = {t: [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {t}"))]
                  for t in _KEPT}  # fmt: skip
        free_text = conn.execute(sa.text("SELECT case_id, seq, field, value FROM subject_values"))
        for case_id, seq, field, value in free_text:  # before 0007, in the subject record
            row = next(r for r in tables["subjects"] if r["case_id"] == case_id)
            data = {**json.loads(row["data"]), f"{field}@{seq}": json.loads(value)}
            row["data"] = canonical_json(data)
    ct.close()
    return tables, history, checkpoint


def _start_again(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()


def _write_at_0003(url: str, tables: dict, history: dict, altered: int = 0) -> None:
    """The same database as revision 0003 kept it; ``altered``: a position whose actor is
    changed without its hash, as someone editing the old columns would have."""
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        for table, rows in tables.items():
            if rows:  # only the columns revision 0003 had (later revisions add some)
                then = {c["name"] for c in sa.inspect(conn).get_columns(table)}
                rows = [{k: v for k, v in row.items() if k in then} for row in rows]
                conn.execute(sa.table(table, *map(sa.column, rows[0])).insert(), rows)
        events = [
            dict(zip((*EVENT_FIELDS, "hash"), e, strict=True))
            for case in history.values()
            for e in case
        ]
        for event in events:
            if event["position"] == altered:
                event["actor_user"] = "mallory"
        conn.execute(sa.table("events", *map(sa.column, events[0])).insert(), events)
    engine.dispose()


@pytest.fixture
def old_log(db_url):
    tables, history, checkpoint = _capture(db_url)
    _start_again(db_url)
    return tables, history, checkpoint


def test_an_old_log_is_upgraded_and_verifies_against_its_checkpoint(db_url, old_log):
    tables, history, checkpoint = old_log
    _write_at_0003(db_url, tables, history)
    with pytest.raises(DatabaseError, match="run `casetracker init` to upgrade"):
        Casetracker(db_url, role="police", workflows=core_engine())
    done = create_database(db_url)  # what `casetracker init` does
    assert (done.created, done.upgraded_from) == (False, "0003")
    assert create_database(db_url).upgraded_from is None  # and then it is up to date
    police_of(db_url, "MPS")  # users before 0005 have no force: an admin gives the police theirs
    ct = Casetracker(db_url, role="police", workflows=core_engine())
    try:
        report = ct.verify(checkpoint)
        assert report.ok, (report.damaged, report.problems)
        assert {c: ct.store.read_case(c) for c in history} == history
        case_id = next(iter(history))
        ct.act(case_id, "add_note", {"text": "after the upgrade"}, "2014-03-01")
        assert ct.verify(checkpoint).ok
    finally:
        ct.close()


def test_an_event_altered_before_the_upgrade_is_found_after_it(db_url, old_log):
    tables, history, _ = old_log
    _write_at_0003(db_url, tables, history, altered=5)
    create_database(db_url)
    ct = Casetracker(db_url, role="police", workflows=core_engine())
    try:
        report = ct.verify()
        assert not report.ok
        [damage] = report.damaged
        assert damage.position == 5 and "does not match its hash" in damage.problem
    finally:
        ct.close()


def test_a_value_retyped_before_the_upgrade_is_still_found_after_it(sqlite_url, old_log):
    """SQLite keeps any type in any column: a BLOB with the very bytes of the actor's name was
    damage before the upgrade, and must not become the text it looks like."""
    tables, history, _ = old_log
    _write_at_0003(sqlite_url, tables, history)
    tamper(sqlite_url, "UPDATE events SET actor_user = CAST(actor_user AS BLOB) WHERE position = 5")
    create_database(sqlite_url)
    ct = Casetracker(sqlite_url, role="police", workflows=core_engine())
    try:
        [damage] = ct.verify().damaged
        assert damage.position == 5
    finally:
        ct.close()
