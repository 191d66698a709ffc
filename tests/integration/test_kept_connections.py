"""A session's kept PostgreSQL write connection runs in psycopg's pipeline mode (docs/postgresql.md,
Concurrency): SQLAlchemy's statements on it still see their rows, a refused statement rolls the
transaction back, and the connection leaves the mode before it goes back to the pool, even when
the server has dropped it."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from casetracker.adapters.database import (
    WRITE_LOCK_KEY,
    KeptConnections,
    driver_sql,
    make_engine,
)

pytestmark = pytest.mark.postgres


def _insert_twice(kept: KeptConnections, then_sqlalchemy: bool) -> None:
    """A new row, then a duplicate key: queued, so refused only at the next wait (a SQLAlchemy
    statement, or the commit)."""
    with kept.write() as conn:
        driver_sql(conn, "INSERT INTO kept VALUES (?)", (2,))
        driver_sql(conn, "INSERT INTO kept VALUES (?)", (1,))
        if then_sqlalchemy:
            conn.execute(sa.text("SELECT 1"))
        else:
            driver_sql(conn, "UPDATE kept SET a = a WHERE a = 3", ())


def test_sqlalchemy_statements_see_their_rows_and_errors_roll_back(pg_url):
    """Each refusal is the statement's own error (not "pipeline aborted", which a statement
    queued after it answers and which had replaced it, nor "transaction aborted" from the
    transaction before), and leaves nothing behind for the next transaction."""
    engine = make_engine(pg_url)
    kept = KeptConnections(engine)
    with kept.write() as conn:
        conn.execute(sa.text("CREATE TABLE kept (a int PRIMARY KEY)"))
    with kept.write() as conn:
        driver_sql(conn, "INSERT INTO kept VALUES (?)", (1,))
        assert conn.execute(sa.text("SELECT a FROM kept")).all() == [(1,)]
    for attempt in range(40):
        with pytest.raises((sa.exc.IntegrityError, psycopg.errors.UniqueViolation)):
            _insert_twice(kept, then_sqlalchemy=attempt % 2 == 0)
    with kept.write() as conn:
        assert conn.execute(sa.text("SELECT a FROM kept")).all() == [(1,)]
    kept.close()
    with engine.connect() as conn:  # the pool's connection is out of pipeline mode
        driver = conn.connection.driver_connection
        assert driver is not None
        pgconn = driver.pgconn
        assert pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF
        assert conn.execute(sa.text("SELECT count(*) FROM kept")).scalar() == 1
    engine.dispose()


def test_one_transaction_holds_the_write_lock_to_its_end(pg_url):
    """The connection is in autocommit mode (psycopg's own BEGIN would cost a round trip), so
    the transaction is the BEGIN ``write`` queues: the lock and every statement are in it."""
    engine = make_engine(pg_url)
    kept = KeptConnections(engine)
    held = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND ((classid::bigint << 32) | objid::bigint) = %s"
    )
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with kept.write() as conn, psycopg.connect(plain, autocommit=True) as other:
        conn.execute(sa.text("CREATE TABLE kept (a int)"))
        driver_sql(conn, "INSERT INTO kept VALUES (?)", (1,))
        assert conn.execute(sa.text("SELECT txid_current_if_assigned() IS NOT NULL")).scalar()
        assert other.execute(held, (WRITE_LOCK_KEY,)).fetchone() == (1,)
        assert other.execute("SELECT to_regclass('kept')").fetchone() == (None,)  # uncommitted
    with psycopg.connect(plain) as other:
        assert other.execute(held, (WRITE_LOCK_KEY,)).fetchone() == (0,)
        assert other.execute("SELECT count(*) FROM kept").fetchone() == (1,)
    kept.close()
    engine.dispose()


def test_a_lost_connection_closes_without_error(pg_url):
    engine = make_engine(pg_url)
    kept = KeptConnections(engine)
    with kept.write() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    kept.close()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_an_invalidated_connection_closes_without_opening_another(pg_url, caplog):
    """SQLAlchemy invalidates a connection the server dropped mid-statement (or ``_settle``
    one it cannot clean); closing the session then leaves its pipeline without asking the
    pool for a new connection (which, were the server still down, would raise from ``close``)."""
    engine = make_engine(pg_url)
    opened: list[object] = []
    sa.event.listen(engine, "connect", lambda *_: opened.append(1))
    kept = KeptConnections(engine)
    with kept.write() as conn:
        conn.execute(sa.text("SELECT 1"))
    conn.invalidate()
    assert len(opened) == 1
    kept.close()
    assert len(opened) == 1
    assert not [r for r in caplog.records if r.name.startswith("psycopg")]
    engine.dispose()


def test_a_connection_lost_in_a_transaction_raises_the_drivers_error(pg_url):
    """SQLAlchemy invalidates a connection the server dropped; the error raised is the driver's
    (which the interfaces word as "cannot read the database"), not SQLAlchemy's complaint that
    the invalidated connection still had a transaction, and the next transaction reconnects."""
    engine = make_engine(pg_url)
    kept = KeptConnections(engine)
    with kept.write() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")

    def dropped_mid_transaction() -> None:
        with kept.write() as conn:
            with psycopg.connect(plain, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            conn.execute(sa.text("SELECT 1"))

    with pytest.raises(sa.exc.OperationalError):
        dropped_mid_transaction()
    with kept.write() as conn:
        assert conn.execute(sa.text("SELECT 2")).scalar() == 2
    kept.close()
    engine.dispose()


@pytest.mark.parametrize("last", ["read", "write"])
def test_a_transaction_whose_last_statement_was_read_is_committed(pg_url, last):
    """psycopg sends COMMIT only when the server is known to be in a transaction; in pipeline
    mode that is known from a sync or from results still awaited, so a transaction whose last
    statement was a read it had waited for looked idle: its COMMIT was never sent, the action
    returned as if recorded, and the next writer waited on the write lock for ever.  Every
    transaction is now committed, whatever it did last."""
    engine = make_engine(pg_url)
    kept = KeptConnections(engine)
    with kept.write() as conn:
        conn.execute(sa.text("CREATE TABLE kept (a int PRIMARY KEY)"))
    for n in range(1, 4):
        with kept.write() as conn:
            driver_sql(conn, "INSERT INTO kept VALUES (?)", (n,))
            if last == "read":
                assert driver_sql(conn, "SELECT count(*) FROM kept", ()).fetchone() == (n,)
        with engine.connect() as other:  # another session sees it, and takes the lock at once
            other.execute(sa.text("SET lock_timeout = '2s'"))
            other.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            assert other.execute(sa.text("SELECT count(*) FROM kept")).scalar() == n
    kept.close()
    engine.dispose()
