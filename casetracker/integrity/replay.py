"""Recomputing the ``cases`` table from the log, one case after another.

The log is read in (case, sequence) order, so each case's events arrive together.  Its state is
its steps replayed through the compiled transition table (``replay_step``: never through guards
or ``transitions``), once per distinct sequence of steps: most cases follow one of a few paths,
so the replay is looked up far more often than it is run.  Cases are independent, so a large
SQLite log is split by case id and the upper half replayed by a worker process
(``casetracker.adapters.workers``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

from casetracker.domain.projection import ReplayTable, replay_step
from casetracker.integrity import dbapi
from casetracker.integrity.dbapi import Row
from casetracker.integrity.encoding import canonical_json, stored_stamp, stored_step
from casetracker.integrity.event_checks import range_clause

_COLUMNS = "case_id, step, seq, hash, position, stamp"
_CASE, _STEP = itemgetter(0), itemgetter(1)
PROGRESS_EVERY = 100_000
Changes = tuple[list[Row], list[str]]  # (rows to write, case ids to delete)


# How many distinct sequences of steps a whole-log pass remembers the state of.  Most cases
# follow one of a few paths; a log where most do not would otherwise hold every case's steps.
REPLAY_MEMO_LIMIT = 50_000


class Replays:
    """The state (canonical JSON) a case's stored steps lead to, and the realms they are marked
    with; ``ValueError`` if a step is not in the stored form or cannot apply.

    Rebuild and the verifier's sweep look up each distinct sequence of steps once; on a real
    log most of the sequences they have not seen yet begin like one they have (a case one or
    two steps further on), so the states after every prefix are kept in a tree of steps and
    only the steps after the longest known prefix are replayed.  At most
    ``REPLAY_MEMO_LIMIT`` prefixes are kept; then the tree starts again.
    """

    def __init__(self, table: ReplayTable) -> None:
        self.table = table
        self._start()

    def _start(self) -> None:
        # A node: (state after the prefix, the realms of its steps, the node after each step).
        self.root: _Node = ({}, frozenset(), {})
        self.nodes = 0

    def __call__(self, steps: Iterable[str]) -> tuple[str, set[str]]:
        if self.nodes >= REPLAY_MEMO_LIMIT:
            self._start()
        node = self.root
        for step in steps:
            after = node[2].get(step)
            if after is None:
                realm, workflow, version, instance, action = stored_step(step)
                state = node[0].copy()
                replay_step(self.table, state, workflow, version, instance, action)
                after = node[2][step] = (state, node[1] | {realm}, {})
                self.nodes += 1
            node = after
        return canonical_json(node[0]), set(node[1])


_Node = tuple[dict[str, str], frozenset[str], dict[str, Any]]


class IllegalLog(ValueError):
    """An event that the workflow definitions say cannot have happened."""


def scan_query(low: str | None, high: str | None) -> tuple[str, tuple[str, ...]]:
    where, params = range_clause(low, high)
    return f"SELECT {_COLUMNS} FROM events{where} ORDER BY case_id, seq", params


def case_rows(
    batches: Iterable[list[Row]],
    table: ReplayTable,
    progress: Callable[[int], None] | None = None,
) -> list[Row]:
    """``cases`` rows (case, version, head hash, head position, opened, updated, state JSON)
    for the events in ``batches`` (``scan_query`` columns); ``IllegalLog`` names the first case
    whose steps its workflow does not allow."""
    states: dict[tuple[str, ...], str] = {}
    replays = Replays(table)
    rows: list[Row] = []
    events = reported = 0
    with dbapi.collector_paused():
        for case_id, group in groupby(chain.from_iterable(batches), key=_CASE):
            mine = list(group)
            steps = tuple(map(_STEP, mine))
            state = states.get(steps)
            if state is None:
                if len(states) >= REPLAY_MEMO_LIMIT:
                    states.clear()
                state = states[steps] = _replay(replays, case_id, steps)
            head = mine[-1]
            opened, updated = _recorded(case_id, mine[0]), _recorded(case_id, head)
            rows.append((case_id, head[2], head[3], head[4], opened, updated, state))
            events += len(mine)
            if progress and events - reported >= PROGRESS_EVERY:
                progress(events)
                reported = events
    return rows


_CASES = "case_id, version, head_hash, head_position, opened, updated, state"


def changes(raw: Any, rows: list[Row], low: str | None, high: str | None) -> Changes:
    """What must be written so that the ``cases`` rows in ``[low, high)`` are exactly ``rows``:
    ``(rows that are new or differ, case ids that have no events)``.

    Most rebuilds find the table right, or nearly; writing only the difference spares the log
    file a copy of every row (and the next writer a checkpoint of it)."""
    where, params = range_clause(low, high)
    query = f"SELECT {_CASES} FROM cases{where}"
    kept = {r[0]: r for batch in dbapi.batches(raw, query, params) for r in batch}
    differ = [row for row in rows if kept.pop(row[0], None) != row]
    return differ, list(kept)  # in any order: ids of different types do not sort


def _recorded(case_id: str, row: Row) -> str:
    """The recorded time in a row's stamp."""
    try:
        return stored_stamp(row[5])[3]
    except ValueError as exc:
        raise IllegalLog(f"{case_id}: event {row[2]}: {exc}") from None


def _replay(replays: Replays, case_id: str, steps: tuple[str, ...]) -> str:
    try:
        return replays(steps)[0]
    except ValueError as exc:
        raise IllegalLog(f"{case_id}: {exc}") from None


def replay_range(
    raw: Any, low: str | None, high: str | None, table: ReplayTable
) -> tuple[int, Changes]:
    """A worker's half: ``(its number of cases, the changes its part of the table needs)``."""
    rows = case_rows(dbapi.batches(raw, *scan_query(low, high)), table)
    return len(rows), changes(raw, rows, low, high)
