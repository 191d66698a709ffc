"""A session's kept PostgreSQL write connection runs in psycopg's pipeline mode (docs/postgresql.md,
Concurrency): SQLAlchemy's statements on it still see their rows, a refused statement rolls the
transaction back, and the connection leaves the mode before it goes back to the pool, even when
the server has dropped it."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from casetracker.adapters.database import KeptConnections, driver_sql, make_engine

pytestmark = pytest.mark.postgres


def _insert_twice(kept: KeptConnections) -> None:
    """A new row, then a duplicate key: queued, so refused only at the next wait."""
    with kept.write() as conn:
        driver_sql(conn, "INSERT INTO kept VALUES (?)", (2,))
        driver_sql(conn, "INSERT INTO kept VALUES (?)", (1,))
        conn.execute(sa.text("SELECT 1"))


def test_sqlalchemy_statements_see_their_rows_and_errors_roll_back(pg_url):
    engine = make_engine(pg_url)
    kept = KeptConnections(engine)
    with kept.write() as conn:
        conn.execute(sa.text("CREATE TABLE kept (a int PRIMARY KEY)"))
    with kept.write() as conn:
        driver_sql(conn, "INSERT INTO kept VALUES (?)", (1,))
        assert conn.execute(sa.text("SELECT a FROM kept")).all() == [(1,)]
    with pytest.raises(sa.exc.IntegrityError):
        _insert_twice(kept)
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
