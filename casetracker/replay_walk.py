"""Recomputing the ``cases`` table from the log, in the log's physical order.

Each event is replayed through the compiled transition table (``replay_step``: never through
guards or ``transitions``).  A step's destination depends only on its action, so the log can be
cut at any position: a later part replays each lifecycle instance from its first event in that
part, and keeps that event aside until the earlier part says what state the instance was in
(``merge`` then checks it).  A large SQLite log is therefore replayed in two halves by position,
one in a worker process (``casetracker.workers``), each scanning only its own rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from casetracker.canonical import canonical_json
from casetracker.projection import ReplayTable, replay_step

_SCAN = (
    "SELECT case_id, workflow, workflow_version, action, instance, position, seq, hash, recorded "
    "FROM events WHERE position > ? AND position <= ? ORDER BY position"
)
# The first event of an instance in a later part: (workflow, version, instance, action).
Opening = tuple[str, int, int, str]


class IllegalLog(ValueError):
    """An event that the workflow definitions say cannot have happened."""


@dataclass
class Part:
    """What replaying the events in one range of positions found.

    ``states``: case -> instance -> state after the part; ``openings``: case -> instance ->
    its first event in the part, still to be checked against the state the earlier parts
    left (empty for the first part, which checks every event itself); ``ends``: case ->
    (first position, last position) within the part; ``snapshot``: the log's last position as
    the reading transaction saw it.
    """

    states: dict[str, dict[str, str]] = field(default_factory=dict)
    openings: dict[str, dict[str, Opening]] = field(default_factory=dict)
    opened: dict[str, str] = field(default_factory=dict)
    heads: dict[str, tuple] = field(default_factory=dict)
    snapshot: int = 0


def scan_query(after: int, upto: int) -> tuple[str, tuple[int, int]]:
    return _SCAN, (after, upto)


def replay_part(
    rows: Iterable[tuple],
    table: ReplayTable,
    first_part: bool,
    progress: Callable[[int], None] | None = None,
) -> Part:
    """Replay the events in ``rows`` (``_SCAN`` columns, position order)."""
    part = Part()
    states, openings, opened, heads = part.states, part.openings, part.opened, part.heads
    for n, row in enumerate(rows, 1):
        case_id, workflow, version, action, instance = row[:5]
        state = states.get(case_id)
        if state is None:
            state = states[case_id] = {}
            opened[case_id] = row[8]
        key = f"{workflow}#{instance}" if instance else workflow
        if first_part or key in state:
            try:
                replay_step(table, state, workflow, version, instance, action)
            except ValueError as exc:
                raise IllegalLog(f"{case_id}: {exc}") from None
        else:
            entry = table.get((workflow, version, action))
            if entry is None:
                raise IllegalLog(
                    f"{case_id}: {workflow} version {version} has no action {action!r}"
                )
            openings.setdefault(case_id, {})[key] = (workflow, version, instance, action)
            state[key] = entry[1]
        heads[case_id] = row
        if progress and not n % 100_000:
            progress(n)
    return part


def merge(earlier: Part, later: Part, table: ReplayTable) -> Part:
    """One part for both ranges; ``IllegalLog`` if a later opening cannot follow the earlier
    part's state.  ``earlier`` is updated in place and returned."""
    for case_id, openings in later.openings.items():
        before = earlier.states.get(case_id, {})
        for key, (workflow, version, instance, action) in openings.items():
            state = {key: before[key]} if key in before else {}
            try:
                replay_step(table, state, workflow, version, instance, action)
            except ValueError as exc:
                raise IllegalLog(f"{case_id}: {exc}") from None
    for case_id, state in later.states.items():
        kept = earlier.states.get(case_id)
        if kept is None:
            earlier.states[case_id] = state
            earlier.opened[case_id] = later.opened[case_id]
        else:
            kept.update(state)
        earlier.heads[case_id] = later.heads[case_id]
    return earlier


def case_rows(part: Part) -> list[tuple]:
    """``cases`` rows (case, version, head hash, head position, opened, updated, state JSON)
    for a whole log's part."""
    rows = []
    for case_id, state in part.states.items():
        head = part.heads[case_id]
        opened = part.opened[case_id]
        rows.append((case_id, head[6], head[7], head[5], opened, head[8], canonical_json(state)))
    return rows


def replay_sqlite_file(path: str, after: int, upto: int, table: ReplayTable) -> Part:
    """A worker's part: replayed on its own read-only connection, in one read transaction."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        snapshot = conn.execute("SELECT max(position) FROM events").fetchone()[0] or 0
        query, params = scan_query(after, upto)
        part = replay_part(conn.execute(query, params), table, first_part=after == 0)
        part.snapshot = snapshot
        conn.execute("COMMIT")
        return part
    finally:
        conn.close()
