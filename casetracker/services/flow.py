"""``casetracker report flow``: the process map of the log, a directly-follows graph (issue 19).

Which step follows which, how often, and how long between them (median and 90th percentile):
per case (every lifecycle's steps in one trace), or with ``lifecycle`` per instance of that
lifecycle (each arrest, each status check).  A trace's steps are taken in effective-time order,
then as recorded, as the exports write them (``casetracker.services.process_log``); waits are
measured between the starts of the two effective times, so a step dated only by a day or a
month makes its waits approximate (the table's notes say how many such steps there were).

``flow`` aggregates the read model kept beside the log (``casetracker.adapters.flow_model``,
table ``flow_steps``) in SQL: at the report's scale (190,000 arrests, 1.3 million events)
folding the log took 11 s, the goal is 2.  ``flow_from_log`` computes the same graph from the
events themselves, in one pass: the definition the read model is tested against.

``read_flow`` (the CLI and the TUI) first brings the read model up to the log's end: on SQLite
actions do not write it, and its readers catch it up (``flow_model.catch_up``).  When that
cannot be done - the file is read-only, or refused as damaged - and the table is behind, the
graph is computed from the log instead (the same graph, slower) and its table says why: a
report is never drawn from a table that is missing events.

The same graph is a table (``flow_table``: the CLI's table, CSV and JSON), a Mermaid flowchart
(``casetracker.presenters.flow_diagram``) and the TUI's picture (``tui.widgets.flow_map``).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from casetracker.adapters import flow_model
from casetracker.adapters.database import read_transaction
from casetracker.adapters.event_scan import cases_with_arrest_in, event_rows
from casetracker.adapters.flow_model import CASE_TRACE, Selection, local_year, nearest_rank
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.errors import UsageError
from casetracker.services.registry import organisation
from casetracker.services.reports import Table

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker

FLOW_FORMATS = ("table", "csv", "json", "mermaid")
BUSY_SHARE = 0.25  # the busiest quarter of the paths are drawn heavier
SLOWEST = 3  # the paths with the longest 90th-percentile waits are marked


@dataclass(frozen=True)
class Path:
    """One directly-follows pair: how often ``target`` came straight after ``source`` in a
    trace, and the median and 90th percentile of the waits between them, in hours."""

    source: str
    target: str
    count: int
    median_h: float
    p90_h: float
    busy: bool = False  # among the busiest quarter: drawn heavier
    slow: bool = False  # among the SLOWEST longest waits (90th percentile): marked


@dataclass
class FlowGraph:
    title: str
    traces: int
    events: int
    steps: Counter = field(default_factory=Counter)  # activity -> occurrences
    starts: Counter = field(default_factory=Counter)  # activity -> traces starting with it
    ends: Counter = field(default_factory=Counter)  # activity -> traces ending with it
    paths: list[Path] = field(default_factory=list)  # busiest first
    approximate: int = 0  # steps whose effective time is a day, a month or a range
    params: dict[str, Any] = field(default_factory=dict)
    # why the graph was computed from the log rather than the read model ("": it was not)
    from_log: str = field(default="", compare=False)


def flow(
    conn: Connection,
    engine: WorkflowEngine,
    force: str | None = None,
    year: int | None = None,
    lifecycle: str | None = None,
) -> FlowGraph:
    """The directly-follows graph of every trace (case, or instance of ``lifecycle``) that
    starts in ``year`` (UK local time) in a case with an arrest by ``force``, from the stored
    read model."""
    _labels(engine, lifecycle)  # a usage error for an unknown lifecycle
    chosen = Selection(lifecycle or CASE_TRACE, year, _force(force))
    graph = _empty(force, year, lifecycle)
    measured = []
    for pair, waits in flow_model.measured(conn, chosen, (0.5, 0.9)):
        graph.events += pair.steps
        graph.approximate += pair.approximate
        graph.steps[pair.activity] += pair.steps
        if pair.previous is None:
            graph.traces += pair.steps
            graph.starts[pair.activity] += pair.steps
        else:
            median, p90 = (round(w / 3600, 4) for w in waits)
            measured.append((pair.previous, pair.activity, pair.steps, median, p90))
    graph.paths = _marked(measured)
    followed = Counter[str]()
    for path in graph.paths:
        followed[path.source] += path.count
    for activity, steps in graph.steps.items():  # every step but a trace's last has a next
        if steps > followed[activity]:
            graph.ends[activity] = steps - followed[activity]
    return graph


def flow_from_log(
    conn: Connection,
    engine: WorkflowEngine,
    force: str | None = None,
    year: int | None = None,
    lifecycle: str | None = None,
) -> FlowGraph:
    """The same graph as ``flow`` computed from the events in one pass, without the read
    model: its definition (the tests hold the two equal after actions, bulk writes and a
    rebuild)."""
    labels = _labels(engine, lifecycle)
    code = _force(force)
    chosen = cases_with_arrest_in(conn, code) if code is not None else None
    waits: dict[tuple[str, str], array] = {}
    graph = _empty(force, year, lifecycle)
    trace_of_case: dict[Any, list[tuple[float, int, str, bool]]] = {}
    current = None
    for case_id, seq, step, stamp in event_rows(conn, payload=False, lifecycle=lifecycle):
        if case_id != current:
            _close(trace_of_case, graph, waits, year)
            current = case_id
        if chosen is not None and case_id not in chosen:
            continue
        _, workflow, version, instance, action = step.split("\x1f")
        effective = parse_canonical(stamp.split("\x1f")[2])
        label = labels.get((workflow, version, action), action)
        key = instance if lifecycle else case_id
        trace_of_case.setdefault(key, []).append(
            (effective.start.timestamp(), seq, label, effective.precision != "instant")
        )
    _close(trace_of_case, graph, waits, year)
    graph.paths = _paths(waits)
    return graph


def _labels(engine: WorkflowEngine, lifecycle: str | None) -> dict[tuple[str, str, str], str]:
    """(workflow, version text, action) -> the action's label, as the steps store them."""
    if lifecycle is not None and lifecycle not in engine.latest:
        raise UsageError(
            f"--lifecycle must be one of {', '.join(sorted(engine.latest))}, not {lifecycle!r}"
        )
    return {
        (workflow, str(version), action.name): action.label
        for (workflow, version), spec in engine.specs.items()
        for action in spec.actions
    }


def _force(force: str | None) -> str | None:
    """The force code asked for; a usage error if the organisation file has no such force."""
    if force is None:
        return None
    code = force.strip().upper()
    if organisation().force(code) is None:
        raise UsageError(f"--force {force!r} is not a force of the organisation file")
    return code


def _close(
    traces: dict[Any, list[tuple[float, int, str, bool]]],
    graph: FlowGraph,
    waits: dict[tuple[str, str], array],
    year: int | None,
) -> None:
    """Count the traces of one case (then forget them: memory is one case's steps)."""
    for steps in traces.values():
        steps.sort()
        if year is not None and local_year(steps[0][0]) != year:
            continue
        graph.traces += 1
        graph.events += len(steps)
        graph.starts[steps[0][2]] += 1
        graph.ends[steps[-1][2]] += 1
        previous = None
        for at, _, label, approximate in steps:
            graph.steps[label] += 1
            graph.approximate += approximate
            if previous is not None:
                found = waits.get((previous[1], label))
                if found is None:
                    found = waits[(previous[1], label)] = array("d")
                found.append(at - previous[0])
            previous = (at, label)
    traces.clear()


def _paths(waits: dict[tuple[str, str], array]) -> list[Path]:
    measured = []
    for (source, target), seconds in waits.items():
        ordered = sorted(seconds)
        median = _percentile(ordered, 0.5) / 3600
        p90 = _percentile(ordered, 0.9) / 3600
        measured.append((source, target, len(ordered), round(median, 4), round(p90, 4)))
    return _marked(measured)


def _marked(measured: list[tuple[str, str, int, float, float]]) -> list[Path]:
    """The paths busiest first, the busiest quarter and the slowest waits marked."""
    measured.sort(key=lambda m: (-m[2], m[0], m[1]))
    busy = max(1, math.ceil(len(measured) * BUSY_SHARE)) if measured else 0
    slow = {m[:2] for m in sorted(measured, key=lambda m: -m[4])[:SLOWEST] if m[4] > 0}
    return [Path(*m, busy=i < busy, slow=m[:2] in slow) for i, m in enumerate(measured)]


def _percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank percentile of sorted values (the durations report's convention)."""
    return ordered[nearest_rank(len(ordered), q)]


def _empty(force: str | None, year: int | None, lifecycle: str | None) -> FlowGraph:
    """The graph of the selection before any trace is counted: its title and parameters,
    the same whichever way (read model or log) it is then filled."""
    what = f"each {lifecycle} instance" if lifecycle else "each case"
    where = f", cases with an arrest by {force.upper()}" if force else ""
    when = f", traces starting in {year}" if year else ""
    title = f"Process map: which step follows which in {what}{where}{when}"
    params = {"report": "flow", "force": force, "year": year, "lifecycle": lifecycle}
    return FlowGraph(title, 0, 0, params=params)


def flow_table(graph: FlowGraph) -> Table:
    """The graph as a report table, busiest path first."""
    rows = [
        [
            p.source, p.target, p.count, _share(p.count, graph.traces), p.median_h, p.p90_h,
            ", ".join(m for m, on in (("busiest", p.busy), ("slowest wait", p.slow)) if on),
        ]
        for p in graph.paths
    ]  # fmt: skip
    notes = [
        f"{graph.traces:,} traces, {graph.events:,} steps; waits in hours between the starts "
        "of the two steps' effective times (median, 90th percentile).",
        "busiest: the most frequent quarter of the paths; slowest wait: the "
        f"{SLOWEST} longest at the 90th percentile.",
    ]
    if graph.from_log:
        notes.append(graph.from_log)
    if graph.approximate:
        notes.append(
            f"{graph.approximate:,} steps are dated by a day, a month or a range: waits to and "
            "from them are measured from the period's start and are approximate."
        )
    return Table(
        graph.title,
        ["from", "to", "count", "per_trace", "median_h", "p90_h", "mark"],
        rows,
        notes,
        graph.params,
    )


def _share(count: int, traces: int) -> float | None:
    return round(count / traces, 3) if traces else None


def read_flow(
    service: Casetracker,
    force: str | None = None,
    year: int | None = None,
    lifecycle: str | None = None,
) -> FlowGraph:
    """The graph over the service's database, in a read transaction of its own (the CLI and
    the TUI's worker threads ask for a graph, not a connection), from the read model caught
    up to the log's end first; from the log itself when it is behind and cannot be caught up
    (the module's docstring)."""
    _labels(service.flow, lifecycle)  # a usage error before anything is written
    _force(force)
    current = flow_model.catch_up(service.engine)
    with read_transaction(service.engine) as conn:
        if current:
            return flow(conn, service.flow, force, year, lifecycle)
        graph = flow_from_log(conn, service.flow, force, year, lifecycle)
    graph.from_log = FROM_LOG
    return graph


FROM_LOG = (
    "Computed from the log: the process map's table is behind the log and this database "
    "could not be written to bring it up to date (a read-only file, one found damaged, or "
    "another writer holding it past the busy timeout)."
)
