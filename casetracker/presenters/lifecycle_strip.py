"""A case's lifecycles over time, as data: the layout a Gantt-like strip is drawn from.

One lane per lifecycle record (Encounter #2, ETD, Removal …), in definition order; each lane
is the run of states the record went through, every state an interval from the effective time
of the step that entered it to that of the next step (the last one open up to ``as_at``).  A
terminal state is a point: nothing follows it.  Steps are placed by when they happened, not
when they were recorded, so an entry recorded out of sequence (Figure 1's human-rights claim,
dated 11 May 2016 among the entries of May 2014) sits where its date puts it and is marked
(``Interval.out_of_sequence``), as the timeline flags it (``presenters.timeline``).

The state a single-record lifecycle starts in when the case is opened is not drawn: the record
does not say since when it held (as ``timeline._time_in_state`` does not time it).  The
``work`` lifecycle (who holds an item, deadlines passed) is bookkeeping, not the person's
story, and has no lane.

Nothing here draws: the TUI's case screen (``tui.widgets.lifecycle_strip``) and the CLI's
``case timeline --chart`` both render this layout, each in its own characters and colours;
``Scale`` maps moments to columns for either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from casetracker.domain.case_view import CaseView, Instance, Step
from casetracker.domain.deadlines import WORK
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.events import RecordedEvent
from casetracker.presenters.timeline import build_timeline

# The letters a drawing names states by where it cannot write their labels (the CLI's chart
# without colour, the TUI's strip where a run is too narrow), each with a key under the strip.
STATE_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Interval:
    """One state of one lifecycle record, from the step that entered it."""

    state: str  # the state's name in the definition
    label: str  # as the definition labels it
    start: datetime  # when the entering step happened (its effective time's first moment)
    end: datetime  # when the next step happened, ``as_at`` for the current state, or ``start``
    seq: int  # the event that entered the state
    terminal: bool = False
    out_of_sequence: bool = False  # the entering event is recorded out of effective order
    approximate: bool = False  # the entering step is dated by a day, a month or a range


@dataclass(frozen=True)
class Lane:
    """One lifecycle record and the states it went through, in effective-time order."""

    key: str  # the instance key, e.g. "encounter#2"
    label: str  # "Encounter #2"
    workflow: str
    intervals: tuple[Interval, ...]


@dataclass(frozen=True)
class StripLayout:
    """Every lane of a case, over one span of time shared by all of them."""

    start: datetime
    end: datetime
    lanes: tuple[Lane, ...]

    @property
    def out_of_sequence(self) -> list[tuple[Lane, Interval]]:
        """The intervals entered by an out-of-sequence entry, with their lanes."""
        return [(lane, i) for lane in self.lanes for i in lane.intervals if i.out_of_sequence]


def strip_layout(
    flow: WorkflowEngine,
    view: CaseView,
    events: Sequence[RecordedEvent],
    as_at: datetime,
) -> StripLayout:
    """The case's lanes from its fold (``view``) and its events (for the out-of-sequence flags),
    each open state running to ``as_at`` (``timeline.figures_as_at`` gives the usual one: now
    on live records, the end of the story in a demo or training database)."""
    flagged = {e.seq for e in build_timeline(events) if e.out_of_sequence}
    order = {name: i for i, name in enumerate(flow.latest)}
    instances = sorted(
        (i for i in view.instances.values() if i.history and i.workflow != WORK),
        key=lambda i: (order.get(i.workflow, len(order)), i.number),
    )
    lanes = tuple(_lane(flow, instance, flagged, as_at) for instance in instances)
    starts = [lane.intervals[0].start for lane in lanes if lane.intervals]
    ends = [i.end for lane in lanes for i in lane.intervals]
    start = min(starts, default=as_at)
    end = max([*ends, start])
    return StripLayout(start, end, lanes)


def _lane(flow: WorkflowEngine, instance: Instance, flagged: set[int], as_at: datetime) -> Lane:
    spec = flow.specs.get((instance.workflow, instance.version))
    name = spec.label if spec is not None else instance.workflow
    label = f"{name} #{instance.number}" if instance.number else name
    steps = sorted(instance.history, key=lambda s: (*s.effective.sort_key(), s.seq))
    entered: list[tuple[str, Step]] = []  # (state, step) for each change of state
    for step in steps:
        action = spec.action(step.action) if spec is not None else None
        state = action.dest if action is not None else instance.state
        if entered and entered[-1][0] == state and step.seq not in flagged:
            continue  # an action that leaves the state as it was (a note) starts nothing new
        entered.append((state, step))
    intervals = []
    for n, (state, step) in enumerate(entered):
        found = spec.state(state) if spec is not None else None
        terminal = bool(found and found.terminal)
        start = step.effective.start
        if n + 1 < len(entered):
            end = entered[n + 1][1].effective.start
        else:
            end = start if terminal else max(as_at, start)
        intervals.append(
            Interval(
                state=state,
                label=found.label if found else state.replace("_", " "),
                start=start,
                end=end,
                seq=step.seq,
                terminal=terminal,
                out_of_sequence=step.seq in flagged,
                approximate=not step.effective.is_exact,
            )
        )
    return Lane(instance.key, label, instance.workflow, tuple(intervals))


@dataclass(frozen=True)
class Scale:
    """Moments to columns: ``width`` columns spread evenly over the layout's span."""

    start: datetime
    end: datetime
    width: int

    def column(self, moment: datetime) -> int:
        """The column a moment falls in (the last one for the end of the span)."""
        span = (self.end - self.start).total_seconds()
        if span <= 0 or self.width <= 1:
            return 0
        at = (moment - self.start).total_seconds() / span
        return min(max(int(at * self.width), 0), self.width - 1)

    def cells(self, lane: Lane) -> list[Interval | None]:
        """Which interval each column of ``lane`` shows: the state the record was in, the last
        one entered when several are entered in one column (each later state overwrites the
        columns from where it begins), ``None`` before the record began or after a terminal
        state (a terminal state takes the one column it begins in).  An out-of-sequence
        entry keeps the column it begins in whatever follows it there: it must be seen."""
        cells: list[Interval | None] = [None] * self.width
        for interval in lane.intervals:
            first = self.column(interval.start)
            for col in range(first, self.column(interval.end) + 1):
                cells[col] = interval
        for interval in lane.intervals:
            if interval.out_of_sequence:
                cells[self.column(interval.start)] = interval
        return cells
