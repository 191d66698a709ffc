"""The process map's read model: every step of every trace with the step before it (issue 19).

``casetracker report flow`` is a directly-follows graph: which step follows which, how often and
how long in between.  Folding the log for it took 11 s at the report's scale (190,000 arrests),
so each case's traces are kept in ``flow_steps`` (migration 0017) beside the other read models:
written in the transaction of each event (``casetracker.adapters.read_models``), by bulk writes
(``synth``, ``import``) and by ``casetracker rebuild``, and aggregated by the report in SQL.

A trace is a case (every lifecycle's steps, ``trace`` = ``""``) or one lifecycle instance
(``trace`` = the lifecycle, ``instance`` its number): its steps in effective-time order (the
start of each step's effective period, then as recorded), as the process-mining exports write
them.  Each step is one row: its position, its activity (the action's label), the activity
before it and the wait since that one's start in seconds (both NULL for the first), whether it
ends the trace, whether its effective time is only a day, a month or a range (``approximate``)
and the local (Europe/London) year the trace starts in, which ``--year`` selects by.  A case's
rows are a pure function of its steps (``rows_for``), so a kept table cannot differ from a
rebuilt one, and ``casetracker.services.flow.flow_from_log`` recomputes the graph from the log
to prove it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.database import driver_sql
from casetracker.adapters.report_tables import FLOW_STEPS, MI_ARRESTS
from casetracker.domain.case_view import CaseView
from casetracker.domain.effective_time import DEFAULT_ZONE

CASE_TRACE = ""  # the trace of a whole case; any other value names a lifecycle
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


def moments(view: CaseView) -> list[Moment]:
    """The case's events as moments, in log order."""
    instances = view.instances
    out = []
    for key, step in view.steps:
        instance = instances[key]
        effective = step.effective
        out.append(
            Moment(
                effective.start.timestamp(),
                step.seq,
                label_of(instance.workflow, instance.version, step.action),
                effective.precision != "instant",
                instance.workflow,
                instance.number,
            )
        )
    return out


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


def _trace(rows: list[tuple], case_id: str, trace: str, instance: int, steps: list[Moment]) -> None:
    if not steps:
        return
    steps.sort(key=_order)
    year = local_year(steps[0].at)
    end = len(steps) - 1
    previous: Moment | None = None
    for position, m in enumerate(steps):
        rows.append(
            (
                case_id, trace, instance, position, year, m.label,
                previous.label if previous else None,
                m.at - previous.at if previous else None,
                position == end, m.approximate,
            )
        )  # fmt: skip
        previous = m


def _order(m: Moment) -> tuple[float, int]:
    return (m.at, m.seq)


def rows_for(view: CaseView) -> list[tuple]:
    """What one case contributes (the read model's pure function)."""
    return trace_rows(view.case_id, moments(view))


def for_case(rows: Sequence[tuple], case_id: str) -> list[tuple]:
    """Rows prepared before the case had an id (bulk), with its id."""
    return [(case_id, *row[1:]) for row in rows]


def insert_rows(conn: Connection, rows: Iterable[tuple]) -> None:
    batch = list(rows)
    if batch:
        driver_sql(conn, _INSERT, batch, "flow_steps")


def replace(conn: Connection, case_id: str, rows: list[tuple]) -> None:
    """The case's rows as they are now, in the transaction of the event just recorded."""
    driver_sql(conn, "DELETE FROM flow_steps WHERE case_id = ?", (case_id,), "flow_steps")
    insert_rows(conn, rows)


def clear(conn: Connection) -> None:
    conn.execute(FLOW_STEPS.delete())


# ---------------------------------------------------------------------------- reading


class Selection(NamedTuple):
    """Which traces a graph counts: the whole cases or one lifecycle's instances, those that
    start in ``year`` (None: every year), in cases with an arrest by ``force`` (None: all)."""

    trace: str = CASE_TRACE
    year: int | None = None
    force: str | None = None


def _where(chosen: Selection) -> tuple[str, dict[str, Any]]:
    conditions = ["trace = :trace"]
    params: dict[str, Any] = {"trace": chosen.trace}
    if chosen.year is not None:
        conditions.append("year = :year")
        params["year"] = chosen.year
    if chosen.force is not None:
        conditions.append(
            f"case_id IN (SELECT case_id FROM {MI_ARRESTS.name} WHERE force = :force)"
        )
        params["force"] = chosen.force
    return " AND ".join(conditions), params


class Totals(NamedTuple):
    traces: int
    steps: int
    approximate: int


def totals(conn: Connection, chosen: Selection) -> Totals:
    where, params = _where(chosen)
    found = conn.execute(
        sa.text(
            "SELECT count(*), sum(CASE WHEN step = 0 THEN 1 ELSE 0 END), "
            "sum(CASE WHEN approximate THEN 1 ELSE 0 END) "
            f"FROM flow_steps WHERE {where}"
        ),
        params,
    ).one()
    return Totals(int(found[1] or 0), int(found[0] or 0), int(found[2] or 0))


def activities(conn: Connection, chosen: Selection) -> Iterator[tuple[str, int, int, int]]:
    """(activity, steps, traces starting with it, traces ending with it)."""
    where, params = _where(chosen)
    yield from conn.execute(
        sa.text(
            "SELECT activity, count(*), sum(CASE WHEN step = 0 THEN 1 ELSE 0 END), "
            "sum(CASE WHEN is_last THEN 1 ELSE 0 END) "
            f"FROM flow_steps WHERE {where} GROUP BY activity"
        ),
        params,
    ).tuples()


def paths(conn: Connection, chosen: Selection) -> Iterator[tuple[str, str, int, float, float]]:
    """(from, to, count, median wait, 90th percentile wait) of every directly-follows pair, the
    waits in seconds and exact: the nearest-rank percentile of the sorted waits, element
    ``min(n - 1, floor(q * n))`` counting from 0 (``nearest_rank``), chosen by SQL's window
    functions so that only two rows a pair leave the database."""
    where, params = _where(chosen)
    query = (
        "SELECT previous, activity, n, rn, wait_s FROM ("
        " SELECT previous, activity, wait_s,"
        "  row_number() OVER (PARTITION BY previous, activity ORDER BY wait_s) - 1 AS rn,"
        "  count(*) OVER (PARTITION BY previous, activity) AS n"
        f" FROM flow_steps WHERE {where} AND previous IS NOT NULL"
        ") ranked WHERE rn = n * 5 / 10 OR rn = CASE WHEN n * 9 / 10 < n - 1 "
        "THEN n * 9 / 10 ELSE n - 1 END"
    )
    found: dict[tuple[str, str], dict[int, float]] = {}
    counts: dict[tuple[str, str], int] = {}
    for previous, activity, n, rn, wait in conn.execute(sa.text(query), params).tuples():
        found.setdefault((previous, activity), {})[int(rn)] = float(wait)
        counts[(previous, activity)] = int(n)
    for pair, at in found.items():
        n = counts[pair]
        yield (*pair, n, at[nearest_rank(n, 0.5)], at[nearest_rank(n, 0.9)])


def nearest_rank(n: int, q: float) -> int:
    """The 0-based index of the nearest-rank ``q`` percentile of ``n`` sorted values, in
    integer arithmetic (tenths), as the SQL above computes it."""
    return min(n - 1, n * round(q * 10) // 10)
