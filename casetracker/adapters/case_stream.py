"""Every case of the log as the rules see it, one after another: what read models rebuild from."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.engine import Connection

from casetracker.adapters.store import stored_event
from casetracker.domain.case_view import CaseView
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.events import RecordedEvent
from casetracker.integrity.dbapi import batches
from casetracker.integrity.encoding import STORED_COLUMNS
from casetracker.integrity.event_checks import range_clause

_COLUMNS = ", ".join(STORED_COLUMNS)


def case_views(
    conn: Connection, flow: WorkflowEngine, progress: Callable[[int], None] | None = None
) -> Iterator[CaseView]:
    """Fold each case's events in turn, streaming the log once in (case, sequence) order."""
    return views_in_range(conn.connection.dbapi_connection, flow, None, None, progress)


def views_in_range(
    raw: Any,
    flow: WorkflowEngine,
    low: str | None,
    high: str | None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[CaseView]:
    """``case_views`` for the cases in ``[low, high)`` (None: unbounded) on a DBAPI connection,
    as a worker process has one (``casetracker.adapters.workers``)."""
    where, params = range_clause(low, high)
    query = f"SELECT {_COLUMNS} FROM events{where} ORDER BY case_id, seq"
    current: list[RecordedEvent] = []
    count = 0
    for batch in batches(raw, query, params):
        for row in batch:
            event = stored_event(row)
            if current and event.case_id != current[0].case_id:
                yield flow.fold(current[0].case_id, current)
                count += 1
                if progress and count % 10_000 == 0:
                    progress(count)
                current = []
            current.append(event)
    if current:
        yield flow.fold(current[0].case_id, current)
