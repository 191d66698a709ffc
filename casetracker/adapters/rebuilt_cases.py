"""Writing a rebuild's changes to the current-state table, and the log's last position.

``casetracker rebuild`` recomputes every case from the log (``casetracker.services.integrity``)
and hands the rows that differ here.  They are written by executemany on the driver's cursor,
over every case of the log at worst, which is why this SQL stays raw (see
``casetracker.adapters.database``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.tables import EVENTS

REBUILD_CACHE_KIB = 131_072  # SQLite's page cache while a rebuild writes the cases table


def last_position(conn: Connection) -> int:
    """The global position of the last event (0 for an empty log)."""
    return int(conn.execute(sa.select(sa.func.max(EVENTS.c.position))).scalar() or 0)


def write_rebuilt_cases(conn: Connection, rows: list[tuple], gone: list[str]) -> None:
    """Write a rebuild's changes: upsert ``rows`` (case id, version, head hash, head position,
    opened, updated, state) and delete the cases ``gone``.  On SQLite with a page cache large
    enough to hold them, so that the transaction does not spill half-written pages to the log
    as it goes."""
    if not rows and not gone:
        return
    sqlite = conn.dialect.name == "sqlite"
    placeholder = "?" if sqlite else "%s"
    cursor = conn.connection.cursor()
    if sqlite:
        kept = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-REBUILD_CACHE_KIB}")
    try:
        if gone:
            cursor.executemany(
                f"DELETE FROM cases WHERE case_id = {placeholder}", [(c,) for c in gone]
            )
        if rows:
            cursor.executemany(
                "INSERT INTO cases (case_id, version, head_hash, head_position, opened, updated, "
                f"state) VALUES ({', '.join([placeholder] * 7)}) ON CONFLICT (case_id) DO UPDATE "
                "SET version = excluded.version, head_hash = excluded.head_hash, "
                "head_position = excluded.head_position, opened = excluded.opened, "
                "updated = excluded.updated, state = excluded.state",
                rows,
            )
    finally:
        if sqlite:
            cursor.execute(f"PRAGMA cache_size = {int(kept)}")
        cursor.close()
