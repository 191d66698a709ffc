"""Pictures in the terminal: a report's chart (``report ... --chart``, drawn with plotext) and a
case's lifecycles over time (``case timeline --chart``, from ``presenters.lifecycle_strip``,
the layout the TUI's case screen draws too).

Colour only on a terminal; through a pipe or into a file the same picture comes without
escape codes, its legend saying which bar is which by order.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from casetracker.domain.errors import UsageError


@dataclass(frozen=True)
class ChartSpec:
    """What a report's chart shows: bars of ``columns`` per row, scaled and labelled."""

    columns: tuple[str, ...]
    names: tuple[str, ...]  # the legend, one per column
    unit: str
    scale: float = 1.0  # rates are stored as fractions, durations in hours
    percent: bool = False


CHARTS = {
    "referrals": ChartSpec(
        ("ccu_rate", "local_rate", "not_referred_rate"),
        ("CCU", "local", "not referred"),
        "% of arrests",
        100.0,
        percent=True,
    ),
    "releases": ChartSpec(
        ("rate_in_hours", "rate_out_of_hours"),
        ("in IO hours", "out of IO hours"),
        "% of leavers gone before an IO saw them",
        100.0,
        percent=True,
    ),
    "durations": ChartSpec(("median_h", "p90_h"), ("median", "90th pct"), "days", 1 / 24),
    "high-harm": ChartSpec(("cases",), ("cases",), "cases"),
}
COLOURS = ("blue", "orange", "red", "green")
PERCENT_TICKS = [0, 20, 40, 60, 80, 100]


def colour() -> bool:
    return sys.stdout.isatty()


def report_chart(report: str, columns: list[str], rows: list[list[Any]]) -> str:
    """The chart of a report table's rows (its first column names each group of bars)."""
    import plotext as plt  # type: ignore[import-untyped]

    spec = CHARTS.get(report)
    if spec is None:
        raise UsageError(f"the {report} report has no chart; try --format table")
    index = [columns.index(c) for c in spec.columns]
    keys = [i for i, c in enumerate(columns) if c in ("force", "suite", "suite_model", "io_shifts")]
    labels, series = [], [[] for _ in index]  # type: ignore[var-annotated]
    for row in rows:
        labels.append(" ".join(str(row[k]) for k in keys if row[k]) or str(row[0]))
        for values, i in zip(series, index, strict=True):
            values.append(0.0 if row[i] is None else float(row[i]) * spec.scale)
    if not rows:
        return "(no rows to chart)"
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    plt.clear_figure()
    plt.plotsize(width, 18)
    if len(series) == 1:
        plt.bar(labels, series[0], color=COLOURS[0])
    else:
        plt.multiple_bar(labels, series, color=list(COLOURS[: len(series)]))
    if spec.percent:
        plt.ylim(0, 100)
        plt.yticks(PERCENT_TICKS, [f"{t}%" for t in PERCENT_TICKS])
    plt.ylabel(spec.unit)
    plt.theme("clear")
    legend = "bars, left to right in each group: " + ", ".join(
        _dye(name, COLOURS[n]) for n, name in enumerate(spec.names)
    )
    drawn = plt.build() if colour() else plt.uncolorize(plt.build())
    return drawn.rstrip() + "\n" + legend


def _dye(text: str, name: str) -> str:
    codes = {"blue": 12, "orange": 208, "red": 9, "green": 10}
    return f"\x1b[38;5;{codes[name]}m█ {text}\x1b[0m" if colour() else text


# ------------------------------------------------------------------ case timeline --chart

STATE_COLOURS = (12, 10, 208, 13, 14, 11, 9, 6, 3, 5)  # xterm-256 colours, one per state
MARK = "!"  # where an out-of-sequence entry begins its state


def timeline_chart(layout: Any, width: int | None = None) -> list[str]:
    """One strip per lifecycle record over the case's whole span, each state its own colour
    (and, without colour, its own letter), ``!`` where an out-of-sequence entry entered it; a
    key of the states and the dates at both ends follow."""
    from casetracker.presenters.lifecycle_strip import Scale

    if not layout.lanes:
        return ["(no lifecycle has a step yet)"]
    name_width = max(len(lane.label) for lane in layout.lanes)
    columns = width or min(shutil.get_terminal_size((100, 24)).columns, 160)
    span = max(columns - name_width - 3, 10)
    scale = Scale(layout.start, layout.end, span)
    states: dict[str, int] = {}
    for lane in layout.lanes:
        for interval in lane.intervals:
            states.setdefault(interval.label, len(states))
    lines = [f"{'':{name_width}}  {_day(layout.start)}{_day(layout.end):>{span - 10}}"]
    for lane in layout.lanes:
        cells = scale.cells(lane)
        marks = {scale.column(i.start) for i in lane.intervals if i.out_of_sequence}
        strip = "".join(_cell(states, cell, n in marks) for n, cell in enumerate(cells))
        lines.append(f"{lane.label:>{name_width}}  {strip}")
    lines.append("")
    lines += _wrapped("states:", [_swatch(n, label) for label, n in states.items()], columns)

    flagged = layout.out_of_sequence
    if flagged:
        lines.append(
            f"{MARK} recorded out of sequence: "
            + "; ".join(f"{lane.label} {i.label} (event {i.seq})" for lane, i in flagged)
        )
    return lines


def _letter(n: int) -> str:
    """Each state its own letter without colour (a case has far fewer than 62 states)."""
    from casetracker.presenters.lifecycle_strip import STATE_LETTERS

    return STATE_LETTERS[n % len(STATE_LETTERS)]


def _cell(states: dict[str, int], interval: Any, marked: bool) -> str:
    if interval is None:
        return " "
    n = states[interval.label]
    if marked:
        return f"\x1b[1;38;5;15;48;5;9m{MARK}\x1b[0m" if colour() else MARK
    if colour():
        return f"\x1b[38;5;{STATE_COLOURS[n % len(STATE_COLOURS)]}m█\x1b[0m"
    return _letter(n)


def _swatch(n: int, label: str) -> str:
    if colour():
        return f"\x1b[38;5;{STATE_COLOURS[n % len(STATE_COLOURS)]}m██\x1b[0m {label}"
    return f"{_letter(n)} {label}"


def _wrapped(head: str, items: list[str], width: int) -> list[str]:
    """``items`` after ``head`` on as many lines as ``width`` needs (escape codes not counted)."""
    lines, line, used = [], head, len(head)
    for item in items:
        visible = len(_ESCAPE.sub("", item))
        if used + 2 + visible > width and line.strip():
            lines.append(line)
            line, used = " " * len(head), len(head)
        line, used = f"{line}  {item}", used + 2 + visible
    return [*lines, line]


_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")
