"""Every case of the log as the rules see it, one after another: what read models rebuild from."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy.engine import Connection

from casetracker.adapters.database import stream
from casetracker.adapters.store import stored_event
from casetracker.domain.case_view import CaseView
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.events import RecordedEvent
from casetracker.integrity.encoding import STORED_COLUMNS

_QUERY = f"SELECT {', '.join(STORED_COLUMNS)} FROM events ORDER BY case_id, seq"


def case_views(
    conn: Connection, flow: WorkflowEngine, progress: Callable[[int], None] | None = None
) -> Iterator[CaseView]:
    """Fold each case's events in turn, streaming the log once in (case, sequence) order."""
    current: list[RecordedEvent] = []
    count = 0
    for row in stream(conn, _QUERY):
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
