"""The process map's read model: every step of every trace with the step before it (issue 19).

``casetracker report flow`` is a directly-follows graph: which step follows which, how often and
how long in between.  Folding the log for it took 11 s at the report's scale (190,000 arrests),
so each case's traces are kept in ``flow_steps`` (migration 0017) beside the other read models,
written by bulk writes (``synth``, ``import``) and by ``casetracker rebuild``, and aggregated by
the report in SQL.  How the table follows each action depends on the backend:

- **SQLite: its readers catch it up from the log** (``catch_up``, an event store's catch-up
  subscription).  The ``meta`` row ``flow_steps_through`` (``MARK``, migration 0022) is the log
  position through which the table is complete; a reader (``casetracker.services.flow.
  read_flow``: ``report flow``, the TUI's process map) first re-derives, from the stored
  columns (``fill``), every case with an event after it, and moves it to the log's end.
  Writing the rows in each action instead had been 4.5 of its 10.5 database pages per commit
  (the table and its paths index) and about 60 µs of its CPU (``bench_core``), for a report
  read far less often than actions are recorded.  Positions are allocated under SQLite's one
  writer lock, so the log through a position is a prefix of the log as committed, and a table
  complete through the mark is the graph of that prefix: never of a log with a gap.
- **PostgreSQL: each action writes its own rows** (``change``, in ``read_models.update``), its
  statements queued in the action's pipeline.  Row-level security (migration 0012) hides other
  forces' events from a police login, so a catch-up run by one would see only part of the log
  and could not move a mark for all of it; and a ``SECURITY DEFINER`` function to do it for
  them would be a second, privileged path writing a read model that every login can already
  write in its own transaction.  No mark is kept there: the table is always complete.

A trace is a case (every lifecycle's steps, ``trace`` = ``""``) or one lifecycle instance
(``trace`` = the lifecycle, ``instance`` its number): its steps in effective-time order (the
start of each step's effective period, then as recorded), as the process-mining exports write
them.  Each step is one row: its position, its activity (the action's label), the activity
before it and the wait since that one's start in seconds (both NULL for the first), whether its
effective time is only a day, a month or a range (``approximate``) and the local
(Europe/London) year the trace starts in, which ``--year`` selects by.  How many traces end
with an activity needs no column: every step but a trace's last is followed by exactly one, so
it is the activity's steps less the pairs that start from it.  A case's
rows are a pure function of its steps (``rows_for``), so a kept table cannot differ from a
rebuilt one, and ``casetracker.services.flow.flow_from_log`` recomputes the graph from the log
to prove it.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters import bulk_insert
from casetracker.adapters.bulk_load import indexes_built_after
from casetracker.adapters.database import (
    driver_sql,
    read_transaction,
    stream,
    write_transaction,
)
from casetracker.adapters.report_tables import FLOW_STEPS, MI_ARRESTS
from casetracker.domain.case_view import CaseView
from casetracker.domain.definition_migration import MIGRATE
from casetracker.domain.effective_time import DEFAULT_ZONE, EffectiveTime, parse_canonical
from casetracker.domain.errors import DatabaseError
from casetracker.integrity.encoding import stored_stamp, stored_step

CASE_TRACE = ""  # the trace of a whole case; any other value names a lifecycle
MARK = "flow_steps_through"  # SQLite: the meta row of the log position the table is complete to
CAUGHT_UP = frozenset({"sqlite"})  # where readers catch the table up instead of each action
COLUMNS = tuple(FLOW_STEPS.c.keys())
_INSERT = f"INSERT INTO flow_steps ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


class Moment(NamedTuple):
    """One event as a trace needs it."""

    at: float  # POSIX seconds of the start of its effective period
    seq: int
    label: str
    approximate: bool  # a day, a month or a range rather than an instant
    workflow: str
    instance: int


@cache
def _labels() -> dict[tuple[str, int, str], str]:
    """(lifecycle, version, action) -> the action's label, over every definition version."""
    from workflows import DEFINITIONS

    return {
        (spec.name, spec.version, action.name): action.label
        for spec in DEFINITIONS
        for action in spec.actions
    }


def label_of(workflow: str, version: int, action: str) -> str:
    """The action's label; an action no definition knows any more keeps its name."""
    return _labels().get((workflow, version, action), action)


def local_year(at: float) -> int:
    return datetime.fromtimestamp(at, DEFAULT_ZONE).year


def moment(
    seq: int, workflow: str, version: int, instance: int, action: str, effective: EffectiveTime
) -> Moment:
    """One event as a trace needs it, its action labelled by the definition version the event
    was recorded under: a folded view's steps (``moments``) and the log's stored columns
    (``stored_moment``) alike, so the rows each gives are the same once an instance has moved
    to another version (``migrate_definition``), its earlier steps keeping their own labels."""
    return Moment(
        effective.start.timestamp(), seq, label_of(workflow, version, action),
        not effective.is_exact, workflow, instance,
    )  # fmt: skip


def step_versions(view: CaseView, start: int = 0) -> list[int]:
    """The definition version each of ``view.steps[start:]`` was recorded under, in order.

    A view keeps only each instance's version now; a step is on it unless a move to another
    version came after it, and each move records the version it left
    (``migrated_from_version``), so reading the steps backwards from the end gives each one's."""
    steps = view.steps
    instances = view.instances
    now: dict[str, int] = {}
    out = []
    for index in range(len(steps) - 1, start - 1, -1):
        key, step = steps[index]
        version = now.get(key)
        if version is None:
            version = instances[key].version
        out.append(version)
        if step.action == MIGRATE:
            version = int(step.fields.get("migrated_from_version", version))
        now[key] = version
    out.reverse()
    return out


def moments(view: CaseView) -> list[Moment]:
    """The case's events as moments, in log order: ``moment`` of each step, written out here
    with the labels looked up in their table at once, since a rebuild makes one a step of
    the log and the calls had been half of it."""
    instances = view.instances
    labels = _labels()
    out = []
    for (key, step), version in zip(view.steps, step_versions(view), strict=True):
        instance = instances[key]
        workflow = instance.workflow
        action = step.action
        effective = step.effective
        label = labels.get((workflow, version, action), action)
        out.append(
            _new_moment(
                Moment,
                (effective.start.timestamp(), step.seq, label, not effective.is_exact, workflow,
                 instance.number),
            )
        )  # fmt: skip
    return out


_new_moment = tuple.__new__  # ``Moment(...)`` without its generated ``__new__``'s call


def trace_rows(case_id: str, events: Iterable[Moment]) -> list[tuple]:
    """The rows of the case's traces (the columns of ``flow_steps``, in order)."""
    by_instance: dict[tuple[str, int], list[Moment]] = {}
    whole: list[Moment] = []
    for m in events:
        whole.append(m)
        by_instance.setdefault((m.workflow, m.instance), []).append(m)
    rows: list[tuple] = []
    _trace(rows, case_id, CASE_TRACE, 0, whole)
    for (workflow, instance), steps in by_instance.items():
        _trace(rows, case_id, workflow, instance, steps)
    return rows


def _trace(
    rows: list[tuple],
    case_id: str,
    trace: str,
    instance: int,
    steps: list[Moment],
    years: dict[float, int] | None = None,
) -> None:
    """The trace's rows onto ``rows``, its ``steps`` sorted in place; ``years``, when given,
    keeps the local year of each start already read (a case's whole trace and the trace of
    its first record start at the same moment)."""
    if not steps:
        return
    # In ``_order``: a moment's first fields are its time and its sequence number, which no
    # two steps of a case share, so comparing the moments compares those alone.
    steps.sort()
    start = steps[0].at
    year = years.get(start) if years is not None else None
    if year is None:
        year = local_year(start)
        if years is not None:
            years[start] = year
    first = steps[0]
    rows.append((case_id, trace, instance, 0, year, first.label, None, None, first.approximate))
    previous = first
    for position in range(1, len(steps)):
        m = steps[position]
        rows.append(
            (
                case_id, trace, instance, position, year, m.label, previous.label,
                m.at - previous.at, m.approximate,
            )
        )  # fmt: skip
        previous = m


def _order(m: Moment) -> tuple[float, int]:
    return (m.at, m.seq)


def rows_for(view: CaseView) -> list[tuple]:
    """What one case contributes (the read model's pure function): the rows of the traces
    kept for this very view (``_Traces``, in ``view.derived``) when they cover its steps,
    else derived from every step.  On PostgreSQL each action keeps them up to date through
    ``change``; on SQLite nothing keeps them, and each call derives them."""
    kept = view.derived.get(_DERIVED)
    if isinstance(kept, _Traces) and kept.covers(view):
        return kept.rows()
    return _Traces.of(view).rows()


_DERIVED = "flow"


class _Traces:
    """A view's traces as derived for its first ``covered`` steps: each trace's rows and its
    last moment and start year, traces in the order ``trace_rows`` writes them.

    ``extend`` grows them in place by the steps folded since, when each sorts last in its
    traces, as an action recorded now does: deriving them from every step again - or even
    copying every row - had made each action cost more the longer its case (+300 µs a note
    at 40 notes a case when derived again; ~10 µs at 150 notes when copied)."""

    __slots__ = ("case_id", "covered", "last", "segments")

    def __init__(
        self,
        view: CaseView,
        segments: dict[tuple[str, int], list[tuple]],
        last: dict[tuple[str, int], tuple[Moment, int]],
    ) -> None:
        self.case_id = view.case_id
        self.covered = view.steps[-1][1] if view.steps else None
        self.segments = segments
        self.last = last  # trace -> (its last moment, its start year)

    @classmethod
    def of(cls, view: CaseView) -> _Traces:
        """Derived from every step (``trace_rows``' rows, kept by trace)."""
        by_trace: dict[tuple[str, int], list[Moment]] = {}
        everything = moments(view)
        if everything:
            by_trace[(CASE_TRACE, 0)] = everything[:]
        for m in everything:
            by_trace.setdefault((m.workflow, m.instance), []).append(m)
        segments: dict[tuple[str, int], list[tuple]] = {}
        last: dict[tuple[str, int], tuple[Moment, int]] = {}
        years: dict[float, int] = {}
        for (trace, number), steps in by_trace.items():
            rows: list[tuple] = []
            _trace(rows, view.case_id, trace, number, steps, years)  # sorts ``steps``
            segments[(trace, number)] = rows
            last[(trace, number)] = (steps[-1], rows[0][4])
        return cls(view, segments, last)

    def rows(self) -> list[tuple]:
        """Every row, in ``trace_rows``' order (a new list)."""
        return list(itertools.chain.from_iterable(self.segments.values()))

    def covers(self, view: CaseView) -> bool:
        """Whether these are exactly ``view``'s traces."""
        steps = view.steps
        return self.case_id == view.case_id and (steps[-1][1] if steps else None) is self.covered

    def extend(self, view: CaseView) -> list[tuple] | None:
        """Grow these traces, in place, to ``view``'s by its steps after ``covered``; returns
        the rows added (each new step's in the whole case's trace, then in its instance's).
        None, with nothing changed, unless every new step sorts last in its traces and the
        view is the one these were derived from."""
        steps = view.steps
        if self.case_id != view.case_id or self.covered is None:
            return None
        start = len(steps)
        while start and steps[start - 1][1] is not self.covered:
            start -= 1
        if start == 0:
            return None  # not this view's steps: derive them again
        instances = view.instances
        last = dict(self.last)
        lengths: dict[tuple[str, int], int] = {}
        added: list[tuple] = []
        for (key, step), version in zip(steps[start:], step_versions(view, start), strict=True):
            instance = instances[key]
            m = moment(
                step.seq, instance.workflow, version, instance.number, step.action, step.effective
            )
            for trace in ((CASE_TRACE, 0), (m.workflow, m.instance)):
                before = last.get(trace)
                if before is not None and _order(m) < _order(before[0]):
                    return None  # recorded before a step already in the trace
                held = lengths.get(trace)
                if held is None:
                    held = len(self.segments.get(trace, ()))
                year = before[1] if before is not None else local_year(m.at)
                previous = before[0] if before is not None else None
                added.append(
                    (
                        view.case_id, trace[0], trace[1], held, year, m.label,
                        previous.label if previous else None,
                        m.at - previous.at if previous else None,
                        m.approximate,
                    )
                )  # fmt: skip
                lengths[trace] = held + 1
                last[trace] = (m, year)
        for row in added:
            self.segments.setdefault((row[1], row[2]), []).append(row)
        self.last = last
        self.covered = steps[-1][1]
        return added


def change(conn: Connection, view: CaseView, before: Any) -> _Traces:
    """Bring the case's rows in line with ``view`` in the transaction of the events just
    folded into it (on PostgreSQL: ``kept_by_actions``); ``before`` is what this returned for
    the case last time (None: nothing known), and the answer is kept by ``read_models.update``
    for next time.

    When the traces last written are this view's (``before``), grown by steps that each sort
    last in their traces, only the new rows are inserted, without reading the case's rows
    back; anything else - a back-dated step, a view folded afresh - derives every row and
    ``replace``s them."""
    kept = view.derived.get(_DERIVED)
    if before is not None and kept is before and isinstance(kept, _Traces):
        added = kept.extend(view)
        if added is not None:
            insert_rows(conn, added)
            return kept
    traces = _Traces.of(view)
    view.derived[_DERIVED] = traces
    replace(conn, view.case_id, traces.rows())
    return traces


def for_case(rows: Sequence[tuple], case_id: str) -> list[tuple]:
    """Rows prepared before the case had an id (bulk), with its id."""
    return [(case_id, *row[1:]) for row in rows]


def insert_rows(conn: Connection, rows: Iterable[tuple]) -> None:
    """An action's few rows by one statement; the bulk path's many by ``bulk_insert``."""
    batch = list(rows)
    if len(batch) >= bulk_insert.COPY_FROM:
        bulk_insert.insert_rows(conn, "flow_steps", COLUMNS, batch)
    elif batch:
        driver_sql(conn, _INSERT, batch, "flow_steps")


def replace(conn: Connection, case_id: str, rows: list[tuple]) -> None:
    """The case's rows as they are now, in the transaction of the event just recorded.

    Only the rows that changed are written: a step recorded after the others adds one row to
    the case's trace and one to its instance's.  Rewriting every row of the case had cost an
    action +2.9 ms (5.1 -> 8.0 ms) at 190,000 arrests, each row a write at a random place in
    the report's index; this way the cost is within the noise of the same benchmark
    (measured then by benchmarks/bench_analytics.py, alternating rounds)."""
    held = driver_sql(conn, _CASE_ROWS, (case_id,), "flow_steps").fetchall()
    stored = {tuple(row) for row in held}
    wanted = set(rows)
    gone = [row[:4] for row in stored - wanted]
    if gone:
        driver_sql(conn, _DELETE_ROW, gone, "flow_steps")
    insert_rows(conn, [row for row in rows if row not in stored])


_CASE_ROWS = f"SELECT {', '.join(COLUMNS)} FROM flow_steps WHERE case_id = ?"
_DELETE_ROW = "DELETE FROM flow_steps WHERE case_id = ? AND trace = ? AND instance = ? AND step = ?"


def clear(conn: Connection) -> None:
    conn.execute(FLOW_STEPS.delete())


FILL_BATCH = 50_000  # rows held before they are inserted


def fill(conn: Connection, case_ids: Iterable[str] | None = None) -> int:
    """Write every case's rows into the emptied table (or bring those of ``case_ids`` in line
    with their events) from the log's stored columns (no fold: a trace needs only each event's
    lifecycle, instance, action and effective time); returns the cases.  Migration 0017 fills
    the table this way, ``rebuild`` when the read models are rebuilt alone, and ``catch_up``
    the cases behind.  A case with a stored value that is not as casetracker writes it (a
    damaged or altered log) is left out, not fatal: an upgrade must not stop on the damage
    ``verify`` exists to report."""
    if case_ids is not None:
        return _refresh(conn, list(case_ids))
    pending: list[tuple] = []
    cases = 0
    for _, rows in _derived(stream(conn, f"{_EVENTS} ORDER BY case_id, seq")):
        if rows is None:
            continue  # the case keeps no traces until the log is repaired and rebuilt
        pending += rows
        cases += 1
        if len(pending) >= FILL_BATCH:
            insert_rows(conn, pending)
            pending = []
    insert_rows(conn, pending)
    return cases


CASES_AT_ONCE = 500  # cases whose events one statement reads when some are brought in line


def _refresh(conn: Connection, chosen: list[str]) -> int:
    """The rows of the ``chosen`` cases as their events now give them, through ``replace``:
    only the rows that differ are written.  A catch-up's case has most often gained a step at
    the end of its traces, two rows; deleting and inserting every row of the case had cost
    each of them a write at a random place in the paths index: catching up 2,000 notes on
    distinct cases of a synth year (20,000 arrests) took 0.53 s of CPU that way, 0.39 s this
    way (three runs each, load 7-8)."""
    cases = 0
    for start in range(0, len(chosen), CASES_AT_ONCE):
        some = chosen[start : start + CASES_AT_ONCE]
        query = f"{_EVENTS} WHERE case_id IN ({', '.join('?' * len(some))}) ORDER BY case_id, seq"
        derived = dict(_derived(stream(conn, query, params=tuple(some))))
        for case_id in some:
            rows = derived.get(case_id)
            replace(conn, case_id, rows or [])
            cases += rows is not None
    return cases


_EVENTS = "SELECT case_id, seq, step, stamp FROM events"


def _derived(events: Iterable[tuple]) -> Iterator[tuple[str, list[tuple] | None]]:
    """Each case's rows from its events' stored columns (in case and seq order); None for a
    case with a stored value not as casetracker writes it (verify says which)."""
    for case_id, held in itertools.groupby(events, key=_first):
        try:
            moments = [stored_moment(seq, s, t) for _, seq, s, t in held]
        except (ValueError, TypeError):
            yield case_id, None
            continue
        yield case_id, trace_rows(case_id, moments)


def _first(row: tuple) -> Any:
    return row[0]


def stored_moment(seq: int, step: str, stamp: str) -> Moment:
    """A moment from an event's stored ``step`` and ``stamp`` columns."""
    _, workflow, version, instance, action = stored_step(step)
    return moment(seq, workflow, version, instance, action, parse_canonical(stored_stamp(stamp)[2]))


def rebuild(engine: Engine, flow: Any, progress: Callable[[int], None] | None = None) -> int:
    """The table recomputed from the log on its own, in one write transaction (``casetracker
    rebuild`` feeds it from its one fold instead: ``read_models.rebuild``)."""
    with write_transaction(engine) as conn:
        clear(conn)
        cases = fill(conn)
        mark_complete(conn)
        return cases


# ---------------------------------------------------------------------------- catching up

CATCH_UP_CHUNK = 20_000  # log positions whose cases one catch-up transaction re-derives


def kept_by_actions(dialect: str) -> bool:
    """Whether each action writes its own rows on this backend (PostgreSQL) rather than the
    readers catching the table up from the log (SQLite): see the module's docstring."""
    return dialect not in CAUGHT_UP


def catch_up(engine: Engine) -> bool:
    """Bring the table up to the log's end; True when it is complete through the log as it
    was when this was called, False when it is behind and the database cannot be written
    (a read-only file, or one refused as damaged: ``database.refuse_if_damaged``).

    Nothing behind costs one read transaction and one statement (the mark and the log's last
    position), without the write lock.  Otherwise each write transaction re-derives, from the
    stored columns (``fill``: no fold), every case with an event in the next
    ``CATCH_UP_CHUNK`` positions after the mark, and moves the mark past them: actions wait
    for one chunk at a time, never for the whole backlog.  A case re-derived holds every row
    of its events, later ones too, so a case met again in a later chunk is only derived
    again.  Idempotent, and safe beside another reader doing the same: the mark is read again
    under the write lock.  A mark that is missing or not a position of the log (an altered
    ``meta`` row) cannot say what the table holds: the table is derived again whole."""
    if kept_by_actions(engine.dialect.name):
        return True
    with read_transaction(engine) as conn:
        if _is_current(*_state(conn)):
            return True
    try:
        while True:
            with write_transaction(engine) as conn:
                if not _catch_up_chunk(conn):
                    return True
    except _UNWRITABLE:
        return False


# Why a catch-up cannot write: the damage marker's refusal (``DatabaseError``); a read-only
# file or one locked past the busy timeout, raised by SQLite at ``BEGIN IMMEDIATE`` (from the
# driver itself: the begin listener goes around SQLAlchemy) or at a statement (wrapped).
_UNWRITABLE = (DatabaseError, sa_exc.OperationalError, sqlite3.OperationalError)


def _catch_up_chunk(conn: Connection) -> bool:
    """One chunk of ``catch_up`` in the caller's write transaction; whether more is behind."""
    mark, end = _state(conn)
    if mark is None or not 0 <= mark <= end:
        with indexes_built_after(conn, (FLOW_STEPS,)):
            clear(conn)
            fill(conn)
        _set_mark(conn, end)
        return False
    if mark == end:
        return False
    through = min(end, mark + CATCH_UP_CHUNK)
    behind = driver_sql(conn, _CASES_AFTER, (mark, through), "flow_mark").fetchall()
    fill(conn, [case_id for (case_id,) in behind])
    _set_mark(conn, through)
    return through < end


@contextmanager
def kept_current(conn: Connection) -> Iterator[None]:
    """Around a bulk write, in its transaction, that writes its own new cases' rows: the mark
    follows the log's end when it was there before (the table then holds every event), and
    stays where it was otherwise (the events between are still to be caught up, and the new
    cases' rows are derived again with them)."""
    current = not kept_by_actions(conn.dialect.name) and _is_current(*_state(conn))
    yield
    if current:
        mark_complete(conn)


def mark_complete(conn: Connection) -> None:
    """Say, in the caller's write transaction, that the table holds every event of the log
    (a rebuild's, after writing every case's rows); nothing on a backend without the mark."""
    if not kept_by_actions(conn.dialect.name):
        _set_mark(conn, _state(conn)[1])


def _is_current(mark: int | None, end: int) -> bool:
    return mark == end


def _state(conn: Connection) -> tuple[int | None, int]:
    """The mark (None: missing or not a number) and the log's last position (0: empty)."""
    mark, end = driver_sql(conn, _STATE, (MARK,), "flow_mark").fetchone()
    try:
        through = int(mark)
    except (TypeError, ValueError):
        through = None
    return through, int(end or 0)


def _set_mark(conn: Connection, position: int) -> None:
    driver_sql(conn, _SET_MARK, (MARK, str(position)), "flow_mark")


_STATE = "SELECT (SELECT value FROM meta WHERE key = ?), (SELECT max(position) FROM events)"
_CASES_AFTER = "SELECT DISTINCT case_id FROM events WHERE position > ? AND position <= ?"
_SET_MARK = (
    "INSERT INTO meta (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


# ---------------------------------------------------------------------------- reading


class Selection(NamedTuple):
    """Which traces a graph counts: the whole cases or one lifecycle's instances, those that
    start in ``year`` (None: every year), in cases with an arrest by ``force`` (None: all)."""

    trace: str = CASE_TRACE
    year: int | None = None
    force: str | None = None


def _where(chosen: Selection) -> tuple[str, tuple[Any, ...]]:
    """The condition choosing the traces, with ``?`` placeholders (the driver's own calls:
    ``driver_sql`` and ``stream``, several times cheaper a row than SQLAlchemy's)."""
    conditions = ["trace = ?"]
    params: list[Any] = [chosen.trace]
    if chosen.year is not None:
        conditions.append("year = ?")
        params.append(chosen.year)
    if chosen.force is not None:
        conditions.append(f"case_id IN (SELECT case_id FROM {MI_ARRESTS.name} WHERE force = ?)")
        params.append(chosen.force)
    return " AND ".join(conditions), tuple(params)


class Pair(NamedTuple):
    """What the rows of one (previous, activity) pair add up to; ``previous`` None: the
    traces that start with ``activity``."""

    previous: str | None
    activity: str
    steps: int
    approximate: int


def measured(
    conn: Connection, chosen: Selection, ranks: tuple[float, ...]
) -> list[tuple[Pair, list[float]]]:
    """Every pair's counts, and the exact nearest-rank percentiles ``ranks`` of its waits in
    seconds (element ``min(n - 1, floor(q * n))`` of the sorted waits, counting from 0:
    ``nearest_rank``; none for the starts).

    ``ix_flow_steps_paths`` holds every column read, grouped by pair and each pair's waits in
    order.  Without a force the counts are one grouped pass over it and each percentile a seek
    and a skip in SQL; with one, the case filter would be evaluated again by every seek, so
    the chosen rows are read once, in that order, and counted here."""
    if chosen.force is not None:
        return _measured_in_one_pass(conn, chosen, ranks)
    where, params = _where(chosen)
    found = driver_sql(
        conn,
        "SELECT previous, activity, count(*), sum(CASE WHEN approximate THEN 1 ELSE 0 END) "
        f"FROM flow_steps WHERE {where} GROUP BY previous, activity",
        params,
        "flow_steps",
    ).fetchall()
    seek = (
        f"SELECT wait_s FROM flow_steps WHERE {where} AND previous = ? AND activity = ? "
        "ORDER BY wait_s LIMIT 1 OFFSET ?"
    )
    out = []
    for previous, activity, n, approximate in found:
        pair = Pair(previous, activity, int(n), int(approximate or 0))
        waits = []
        if previous is not None:
            for q in ranks:
                at = (*params, previous, activity, nearest_rank(pair.steps, q))
                waits.append(float(driver_sql(conn, seek, at, "flow_steps").fetchone()[0]))
        out.append((pair, waits))
    return out


def _measured_in_one_pass(
    conn: Connection, chosen: Selection, ranks: tuple[float, ...]
) -> list[tuple[Pair, list[float]]]:
    where, params = _where(chosen)
    rows = stream(
        conn,
        "SELECT previous, activity, wait_s, approximate FROM flow_steps "
        f"WHERE {where} ORDER BY previous, activity, wait_s",
        params=params,
    )
    out = []
    for (previous, activity), group in itertools.groupby(rows, key=_pair):
        held = list(group)
        n = len(held)
        pair = Pair(previous, activity, n, sum(bool(r[3]) for r in held))
        waits = [] if previous is None else [float(held[nearest_rank(n, q)][2]) for q in ranks]
        out.append((pair, waits))
    return out


def _pair(row: Any) -> tuple[str, str]:
    return (row[0], row[1])


def nearest_rank(n: int, q: float) -> int:
    """The 0-based index of the nearest-rank ``q`` percentile of ``n`` sorted values (the
    durations report's convention)."""
    return min(n - 1, int(q * n))
