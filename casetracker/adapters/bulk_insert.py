"""Inserting many rows at once: the bulk path's writes (``import``, ``synth``).

On SQLite an ``executemany`` on the driver's cursor is as fast as the engine goes.  On
PostgreSQL ``executemany`` is still one ``INSERT`` executed per row (psycopg pipelines them, so
the round trips go, but the server parses, binds and starts an executor for each); ``COPY``
sends the rows as one stream.

``COPY FROM`` into a table with row-level security is refused to any login the policies
apply to (PostgreSQL: "COPY FROM not supported with row-level security"), which is every
member of the application role on ``events`` and ``cases`` (migration 0012) - and ``import``
in a deployment runs as a member.  So for such a login the rows are copied into a temporary
table of the same columns (their types, no constraints; the session's own, dropped again
before the caller's transaction goes on) and moved by ``INSERT ... SELECT``: the table's
privileges, its row-level security's insert checks and every trigger apply to each row
exactly as to a plain ``INSERT``, in the order given.  The login needs ``TEMPORARY`` on the
database (``PUBLIC``'s by default).  A login row-level security does not apply to (the
tables' owner, a superuser: whoever runs ``synth`` into a demo database, or imports as the
owner) copies straight into the table; the guards do not check those logins either
(docs/postgresql.md, "Who is not checked").  Measured at load 2.5 on 10,000 events a batch
with the guard triggers firing (most of the cost): ``COPY`` 38k rows/s, staged 33-35k,
``executemany`` 13-14k (at load 6).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy.engine import Connection

from casetracker.adapters.database import driver_sql

_STAGING = "pg_temp.casetracker_bulk"  # pg_temp named: no schema on the path can shadow it
COPY_FROM = 500  # rows; fewer go as ``driver_sql`` sends them (the table costs ~3 round trips)


def insert_rows(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    rounds_by: str | None = None,
) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``table`` inside the caller's
    transaction, in the order given; any refusal (a constraint, a trigger) aborts it.

    ``rounds_by`` names an integer column: when staged, the rows with each of its values go
    in a statement of their own, in increasing order of it.  A row-level ``AFTER`` trigger
    fires when its statement ends, so a row's ``BEFORE`` trigger sees what those triggers
    made of every row of an earlier round: by a case's sequence number, each event of a case
    is checked against the case's forces as the events before it left them (the event guard
    of migration 0012 against the force-tracking trigger), as when it is inserted alone.
    Rows in rounds go by ``COPY`` however few; other rows, fewer than ``COPY_FROM``, by
    ``driver_sql`` (an action's few rows).  A connection in pipeline mode (a kept one,
    ``database.KeptConnections``), where psycopg cannot ``COPY``, sends them by ``driver_sql``
    too, a statement per round.
    """
    if not rows:
        return
    names = ", ".join(columns)
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    if conn.dialect.name != "postgresql":
        driver_sql(conn, insert, list(rows), "bulk")
        return
    driver = conn.connection.driver_connection
    assert driver is not None, "the connection is open: its transaction is the caller's"
    rounds = _rounds(columns, rows, rounds_by)
    if _pipelined(driver) or (rounds_by is None and len(rows) < COPY_FROM):
        at = list(columns).index(rounds_by) if rounds_by else 0
        for value in rounds:
            batch = list(rows) if value is None else [row for row in rows if row[at] == value]
            driver_sql(conn, insert, batch, "bulk")
        return
    with driver.cursor() as cursor:
        if not cursor.execute("SELECT row_security_active(%s)", (table,)).fetchone()[0]:
            # the owner or a superuser, whom no guard checks: straight in
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} ON COMMIT DROP AS "
            f"SELECT {names}, 0::bigint AS bulk_order FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {_STAGING} ({names}, bulk_order) FROM STDIN") as copy:
            for order, row in enumerate(rows):
                copy.write_row((*row, order))
        move = f"INSERT INTO {table} ({names}) SELECT {names} FROM {_STAGING}"
        where = [f" WHERE {rounds_by} = {value}" if value is not None else "" for value in rounds]
        moves = [f"{move}{condition} ORDER BY bulk_order" for condition in where]
        # one round trip: without parameters, several statements go as one simple query
        cursor.execute("; ".join([*moves, f"DROP TABLE {_STAGING}"]))


def _rounds(
    columns: Sequence[str], rows: Sequence[Sequence[object]], rounds_by: str | None
) -> Sequence[int | None]:
    """The values of ``rounds_by`` in increasing order; ``[None]``: one round of every row."""
    if rounds_by is None:
        return [None]
    at = list(columns).index(rounds_by)
    return sorted({int(cast(int, row[at])) for row in rows})


def _pipelined(driver: Any) -> bool:
    from psycopg import pq  # here: a SQLite command need not load PostgreSQL's driver

    return bool(driver.pgconn.pipeline_status != pq.PipelineStatus.OFF)
