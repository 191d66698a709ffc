"""Whether a read model's table already holds a case's rows (``ReadModel.unchanged``), and the
digest of those rows kept on the case's projection row (``cases.rows_digest``, migration 0026).

A view folded afresh from the log (every CLI ``case act``, a new TUI session) does not know
what was written for the case; reading every row back to compare was a tenth of such an
action (issue 18).  So ``read_models.update`` keeps, after the rows and in their transaction,
a digest of them, and a fresh view compares the digest of the rows it derived with that one
value; only when it differs or is missing are the rows read and compared.  On SQLite an
insert, update or delete of any of those rows forgets its case's digest (the triggers of
migrations 0026 and 0028), so that a row changed by any other writer is still found and put
right.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from casetracker.adapters.database import driver_sql


def same_rows(filed: list[tuple[Any, ...]], wanted: list[tuple[Any, ...]]) -> bool:
    """Whether two lists hold the same rows, in any order.  Read back in the order they were
    written (most often, and always when there are none) they are simply equal, and are
    counted only otherwise: a ``Counter`` of each side was most of a cold action's comparing
    (a view folded afresh compares every model's rows with the table's, issue 18)."""
    return filed == wanted or (len(filed) == len(wanted) and Counter(filed) == Counter(wanted))


def digest(rows: Any) -> str:
    """A digest of the rows the read models derived for a case (each model's, in its order).

    Their ``repr``: the rows are tuples, named tuples and frozen dataclasses of text, numbers
    and None, whose ``repr`` is the same in every process and differs when any value does.
    Rows equal in another order, or a change of the code that derives them, give another
    digest: the rows are then compared themselves, never wrongly taken as written.  The
    digest is of the rows as derived, not as stored: a release that changes how a row is
    stored (a column computed from it, say) without changing the row itself must change
    ``ROW_FORMAT``, so that every digest kept before it is found wrong once."""
    return hashlib.blake2b(f"{ROW_FORMAT}{rows!r}".encode(), digest_size=16).hexdigest()


ROW_FORMAT = "1:"  # how derived rows become stored ones; see ``digest``


_Q_DIGEST = "SELECT rows_digest FROM cases WHERE case_id = ?"
_Q_KEEP = "UPDATE cases SET rows_digest = ? WHERE case_id = ?"


def stored_digest(conn: Connection, case_id: str) -> str | None:
    """The digest kept for the case's rows; None when none is (or no projection row yet)."""
    row = driver_sql(conn, _Q_DIGEST, (case_id,), "kept_rows").fetchone()
    return row[0] if row else None


def keep_digest(conn: Connection, case_id: str, value: str) -> None:
    """Keep ``value`` as the digest of the rows the case now has (after writing them: on
    SQLite their delete forgot the old one)."""
    driver_sql(conn, _Q_KEEP, (value, case_id), "kept_rows")


def keep_digests(conn: Connection, kept: list[tuple[str, str]]) -> None:
    """``keep_digest`` for many cases at once: (digest, case id) pairs."""
    if kept:
        driver_sql(conn, _Q_KEEP, kept, "kept_rows")


_TRIGGERS = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name"
)


@contextmanager
def digests_forgotten(conn: Connection, tables: tuple[Table, ...] | list[Table]) -> Iterator[None]:
    """Inside the caller's write transaction, which empties and refills ``tables`` (a
    rebuild) and keeps each case's new digest: every case's old digest forgotten first, and
    on SQLite the tables' triggers that would forget each row's one by one dropped meanwhile
    and created again after by their own stored statements (a rebuild deletes millions of
    rows)."""
    driver_sql(conn, "UPDATE cases SET rows_digest = NULL WHERE rows_digest IS NOT NULL")
    dropped: list[str] = []
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.cursor()
        try:
            for table in tables:
                for name, sql in cursor.execute(_TRIGGERS, (table.name,)).fetchall():
                    cursor.execute(f'DROP TRIGGER "{name}"')
                    dropped.append(sql)
        finally:
            cursor.close()
    yield
    if dropped:
        cursor = conn.connection.cursor()
        try:
            for sql in dropped:
                cursor.execute(sql)
        finally:
            cursor.close()
