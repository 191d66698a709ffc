"""The deadlines read model: every case's deadlines not yet recorded as passed, by due time.

The deadlines themselves are the domain's (``casetracker.domain.deadlines``), derived from a
case's events; this module files them in ``deadlines`` in the same transaction as every event
(``replace``) so that ``casetracker tick`` finds what has fallen due at a million cases as one
index range (``due_cases``) instead of folding every case, and ``casetracker due`` lists them.
A row leaves the table when its deadline is met in time or recorded as passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters.database import driver_sql, read_transaction, write_transaction
from casetracker.adapters.kept_rows import same_rows
from casetracker.adapters.organisation_file import configured
from casetracker.adapters.tables import DEADLINES
from casetracker.domain import deadlines
from casetracker.domain.case_view import CaseView
from casetracker.domain.queues import case_force


class DueRow(NamedTuple):
    """One pending deadline as filed (``due`` is UTC text, sortable)."""

    case_id: str
    kind: str
    item: str
    due: str
    force: str
    label: str


def rows_for(view: CaseView) -> list[DueRow]:
    """The rows a case contributes (pure but for the organisation file, read once a process)."""
    found = deadlines.pending(view, configured())
    force = case_force(view) if found else ""
    return [DueRow(view.case_id, d.kind, d.item, d.due_text, force, d.label[:200]) for d in found]


_Q_DELETE = "DELETE FROM deadlines WHERE case_id = ?"
_Q_INSERT = (
    "INSERT INTO deadlines (case_id, kind, item, due, force, label) VALUES (?, ?, ?, ?, ?, ?)"
)


_Q_ROWS = "SELECT case_id, kind, item, due, force, label FROM deadlines WHERE case_id = ?"


def unchanged(conn: Connection, case_id: str, rows: list[DueRow]) -> bool:
    """Whether the table already holds exactly ``rows`` for the case (in any order), so that
    a view folded afresh from the log writes nothing."""
    filed = list(map(tuple, driver_sql(conn, _Q_ROWS, (case_id,), "deadlines").fetchall()))
    return same_rows(filed, list(map(tuple, rows)))


def replace(conn: Connection, case_id: str, rows: list[DueRow]) -> None:
    """Replace a case's rows in the transaction that recorded its new events (driver SQL, as
    the worklist's: this runs inside every action that changes them)."""
    driver_sql(conn, _Q_DELETE, (case_id,), "deadlines")
    if rows:
        driver_sql(conn, _Q_INSERT, [tuple(r) for r in rows], "deadlines")


def insert_rows(conn: Connection, rows: Iterable[DueRow]) -> int:
    """Bulk insert rows for cases that have none yet (imports, generated data, rebuilds)."""
    batch = [r._asdict() for r in rows]
    if batch:
        conn.execute(DEADLINES.insert(), batch)
    return len(batch)


def rebuild(engine: Engine, flow: Any, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every row from the log (the table is derived, like the projection)."""
    from casetracker.adapters.case_stream import case_views

    count = 0
    with write_transaction(engine) as conn:
        conn.execute(DEADLINES.delete())
        batch: list[DueRow] = []
        for view in case_views(conn, flow, progress):
            batch.extend(rows_for(view))
            count += 1
            if len(batch) > 20_000:
                insert_rows(conn, batch)
                batch = []
        insert_rows(conn, batch)
    return count


def due_cases(conn: Connection, until: str) -> list[str]:
    """Every case with a deadline due by ``until`` (UTC text), each once, in case order: one
    range of ``ix_deadlines_due``, as long as what is due (a day's worth), not the table."""
    query = sa.select(DEADLINES.c.case_id).where(DEADLINES.c.due <= until).distinct()
    return sorted(row[0] for row in conn.execute(query))


def page(
    engine: Engine, until: str | None = None, limit: int = 200, *, force: str | None = None
) -> list[DueRow]:
    """Pending deadlines soonest first (only those due by ``until``, when given; only
    ``force``'s, when given)."""
    query = sa.select(*DEADLINES.c).order_by(DEADLINES.c.due, DEADLINES.c.case_id).limit(limit)
    if until is not None:
        query = query.where(DEADLINES.c.due <= until)
    if force is not None:
        query = query.where(DEADLINES.c.force == force)
    with read_transaction(engine) as conn:
        return [DueRow(*row) for row in conn.execute(query)]
