"""The event log read once from end to end, or for a few cases, for process-mining exports and
the flow report (``casetracker.services.process_log``).

Rows come straight from the driver in (case, sequence) order, the order of the unique index
``uq_events_case_seq``, in batches, so a year of events is never held in memory at once.  The
payload is read only when the caller needs it: it is most of a row's bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.database import stream
from casetracker.adapters.report_tables import MI_ARRESTS
from casetracker.integrity.dbapi import batches
from casetracker.integrity.event_checks import range_clause

_COLUMNS = "case_id, seq, step, stamp"
_ORDER = "ORDER BY case_id, seq"
# A step is realm, workflow, version, instance and action joined by 0x1F: its workflow is the
# only part between two separators that can be a lifecycle's name (the others are a realm,
# numbers and the action, which ends it).
_OF_LIFECYCLE = "step LIKE ? ESCAPE '!'"


def event_rows(
    conn: Connection,
    case_ids: Iterable[str] | None = None,
    payload: bool = True,
    lifecycle: str | None = None,
) -> Iterator[tuple]:
    """``(case_id, seq, step, stamp[, payload])`` of every event, or of the cases named (in the
    order given), each case's events in sequence order; ``lifecycle``: only its events."""
    columns = _COLUMNS + (", payload" if payload else "")
    where: list[str] = []
    params: tuple = ()
    if lifecycle is not None:
        where.append(_OF_LIFECYCLE)
        escaped = lifecycle.replace("!", "!!").replace("%", "!%").replace("_", "!_")
        params = (f"%\x1f{escaped}\x1f%",)
    if case_ids is None:
        condition = f" WHERE {where[0]}" if where else ""
        yield from stream(conn, f"SELECT {columns} FROM events{condition} {_ORDER}", params=params)
        return
    query = f"SELECT {columns} FROM events WHERE {' AND '.join(['case_id = ?', *where])} {_ORDER}"
    for case_id in case_ids:
        yield from stream(conn, query, params=(case_id, *params))


def cases_with_arrest_in(conn: Connection, force: str) -> set[str]:
    """The cases with an arrest by ``force``, from the MI table the referrals report reads
    (``mi_arrests``, kept by ``casetracker.adapters.mi_model``)."""
    query = sa.select(MI_ARRESTS.c.case_id).where(MI_ARRESTS.c.force == force).distinct()
    return set(conn.execute(query).scalars())


def rows_between(raw: Any, low: str | None, high: str | None) -> Iterator[tuple]:
    """``(case_id, seq, step, stamp, payload)`` of the cases in ``[low, high)`` (None: open),
    in (case, sequence) order, on a DBAPI connection: the rows a worker process writing half an
    export reads (``casetracker.adapters.workers``), and the caller's own half."""
    where, params = range_clause(low, high)
    query = f"SELECT {_COLUMNS}, payload FROM events{where} {_ORDER}"
    for rows in batches(raw, query, params):
        yield from rows
