"""Recomputing the ``cases`` table from the log: one pass in the log's physical order.

Each event is replayed through the compiled transition table (``replay_step``: never through
guards or ``transitions``), and each case's first and last events are noted on the way, so the
rows of the projection come out of a single scan.  Like the verifier's walk this needs only the
replay table, so a large SQLite log can be projected half here and half in a worker process
(``casetracker.workers``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from casetracker.canonical import canonical_json
from casetracker.chain_walk import range_clause
from casetracker.projection import ReplayTable, replay_step

_SCAN = (
    "SELECT case_id, workflow, workflow_version, action, instance, seq, hash, position, recorded "
    "FROM events{where} ORDER BY position"
)


class IllegalLog(ValueError):
    """An event that the workflow definitions say cannot have happened."""


@dataclass
class Projection:
    """``cases`` rows for a range of case ids: (case, version, head hash, head position,
    opened, updated, state JSON), and the last position of the log the walk saw."""

    rows: list[tuple] = field(default_factory=list)
    snapshot: int = 0


def project(
    rows: Iterable[tuple],
    table: ReplayTable,
    progress: Callable[[int], None] | None = None,
) -> list[tuple]:
    """The projection rows for the events in ``rows`` (``_SCAN`` columns, position order)."""
    states: dict[str, dict[str, str]] = {}
    opened: dict[str, str] = {}
    last: dict[str, tuple] = {}
    for n, row in enumerate(rows, 1):
        case_id = row[0]
        state = states.get(case_id)
        if state is None:
            state = states[case_id] = {}
            opened[case_id] = row[8]
        try:
            replay_step(table, state, row[1], row[2], row[4], row[3])
        except ValueError as exc:
            raise IllegalLog(f"{case_id}: {exc}") from None
        last[case_id] = row
        if progress and not n % 100_000:
            progress(n)
    return [
        (case_id, head[5], head[6], head[7], opened[case_id], head[8], canonical_json(state))
        for case_id, state in states.items()
        for head in (last[case_id],)
    ]


def scan_query(low: str | None, high: str | None) -> tuple[str, tuple[str, ...]]:
    where, params = range_clause(low, high)
    return _SCAN.format(where=where), params


def project_sqlite_file(
    path: str, low: str | None, high: str | None, table: ReplayTable
) -> Projection:
    """A worker's half: projected on its own read-only connection, in one read transaction."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        snapshot = conn.execute("SELECT max(position) FROM events").fetchone()[0] or 0
        query, params = scan_query(low, high)
        rows = project(conn.execute(query, params), table)
        conn.execute("COMMIT")
        return Projection(rows, snapshot)
    finally:
        conn.close()
