"""A case's lifecycles over time: one row per lifecycle record, its states as coloured runs.

Drawn from ``casetracker.presenters.lifecycle_strip`` (the layout the CLI's ``case timeline
--chart`` draws too) at whatever width the panel has: each state a run of cells in its own
colour with its label written in it where it fits, a terminal state dimmed, and the entry
recorded out of sequence marked ``!`` where its date puts it and named under the strip (with
its event number, so the timeline row can be found).  The row under the lanes gives the span's
dates (its times, for a case of a day or two).  A state whose label does not fit its run (a
status check passes through four in a quarter of an hour) is written as a letter, as much of
the label after it as fits, and named in full in a legend under the dates: the same letter
for the same state in every lane, in its colour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual.widget import Widget

from casetracker.domain.effective_time import DEFAULT_ZONE
from casetracker.presenters.lifecycle_strip import (
    STATE_LETTERS,
    Interval,
    Lane,
    Scale,
    StripLayout,
)

# Background colours for a record's states, in the order its definition lists them; terminal
# states are grey.  Text on them is white, which each is dark enough to carry.
STATE_COLOURS = (
    "dark_blue",
    "dark_green",
    "dark_magenta",
    "dark_cyan",
    "dark_orange3",
    "purple4",
    "deep_sky_blue4",
    "dark_olive_green3",
    "medium_violet_red",
    "steel_blue",
)
TERMINAL = "grey35"
MARK = "bold yellow on red"
LABEL_WIDTH = 18  # a lane's name; "Claim or challenge #2" is cut with an ellipsis
WITH_WORDS = 6  # a run this wide or wider shows some of the label after its letter


def _day(moment: datetime) -> str:
    return moment.astimezone(DEFAULT_ZONE).date().isoformat()


def _ends(layout: StripLayout) -> tuple[str, str]:
    """The span's two ends as the axis shows them: days, or for a span under two days the
    first moment with its day and the last as a time (UK local time, as every time shown)."""
    if layout.end - layout.start >= timedelta(days=2):
        return _day(layout.start), _day(layout.end)
    first = layout.start.astimezone(DEFAULT_ZONE)
    last = layout.end.astimezone(DEFAULT_ZONE)
    return first.strftime("%Y-%m-%d %H:%M"), last.strftime(
        "%H:%M" if first.date() == last.date() else "%Y-%m-%d %H:%M"
    )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


class LifecycleStrip(Widget):
    DEFAULT_CSS = """
    LifecycleStrip {
        border: round $secondary;
        padding: 0 1;
        height: auto;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "lifecycles over time"
        self.layout_data: StripLayout | None = None
        self.order: dict[tuple[str, str], int] = {}  # (workflow, state) -> colour index

    def show(self, flow: Any, layout: StripLayout) -> None:
        """Draw ``layout``; ``flow`` (the service's definitions) orders each record's states,
        so a state has the same colour on every case."""
        self.layout_data = layout
        self.order = {
            (lane.workflow, state.name): i
            for lane in layout.lanes
            if (spec := flow.latest.get(lane.workflow)) is not None
            for i, state in enumerate(spec.states)
        }
        self.refresh(layout=True)

    def render(self) -> Text:
        layout = self.layout_data
        if layout is None or not layout.lanes:
            return Text("(nothing recorded yet)", style="dim")
        width = max(self.content_size.width, 20)
        label_width = min(LABEL_WIDTH, max(len(lane.label) for lane in layout.lanes))
        scale = Scale(layout.start, layout.end, max(width - label_width - 1, 1))
        codes: dict[tuple[str, str], tuple[str, str, str]] = {}  # state: (letter, label, style)
        lines = [self._lane(lane, scale, label_width, codes) for lane in layout.lanes]
        lines.append(self._axis(layout, scale, label_width))
        lines.extend(_legend(list(codes.values()), width))
        for lane, interval in layout.out_of_sequence:
            lines.append(
                Text.assemble(
                    ("!", MARK),
                    f" {lane.label}: {interval.label}, dated {_day(interval.start)}, is recorded "
                    f"out of sequence (event {interval.seq})",
                )
            )
        return Text("\n").join(lines)

    def _style(self, lane: Lane, interval: Interval) -> str:
        if interval.terminal:
            return f"white on {TERMINAL}"
        index = self.order.get((lane.workflow, interval.state), 0)
        return f"white on {STATE_COLOURS[index % len(STATE_COLOURS)]}"

    def _lane(
        self,
        lane: Lane,
        scale: Scale,
        label_width: int,
        codes: dict[tuple[str, str], tuple[str, str, str]],
    ) -> Text:
        """One lane; a state whose label does not fit its run gets a letter in ``codes``."""
        text = Text(f"{_cut(lane.label, label_width):<{label_width}} ", style="bold")
        cells = scale.cells(lane)
        col = 0
        while col < len(cells):
            interval = cells[col]
            run = 1
            while col + run < len(cells) and cells[col + run] is interval:
                run += 1
            if interval is None:
                text.append(" " * run)
            else:
                room = run
                if interval.out_of_sequence:  # the entry is marked where its date puts it
                    text.append("!", style=MARK)
                    room -= 1
                style = self._style(lane, interval)
                name = interval.label
                if len(name) > room:
                    name = self._coded(lane, interval, style, codes, room)
                text.append(f"{name:<{room}}", style=style)
            col += run
        return text

    @staticmethod
    def _coded(
        lane: Lane,
        interval: Interval,
        style: str,
        codes: dict[tuple[str, str], tuple[str, str, str]],
        room: int,
    ) -> str:
        """What a run too narrow for its state's label shows: the state's letter, then as much
        of the label as fits when the run is wide enough for a few letters of it."""
        key = (lane.workflow, interval.state)
        if key not in codes:
            if len(codes) >= len(STATE_LETTERS):
                return _cut(interval.label, room) if room > 2 else ""
            codes[key] = (STATE_LETTERS[len(codes)], interval.label, style)
        letter = codes[key][0]
        if room < 1:
            return ""
        return f"{letter} {_cut(interval.label, room - 2)}" if room >= WITH_WORDS else letter

    @staticmethod
    def _axis(layout: StripLayout, scale: Scale, label_width: int) -> Text:
        """The span's first and last days under the strip's two ends, and the years between
        (when the span is long enough for them) under the columns where they begin."""
        row = [" "] * scale.width
        first, last = _ends(layout)
        marks: list[tuple[int, str]] = []
        for year in range(layout.start.year + 1, layout.end.year + 1):
            moment = datetime(year, 1, 1, tzinfo=DEFAULT_ZONE)
            marks.append((scale.column(moment), f"┆{year}"))
        taken = set(range(len(first) + 1)) | set(range(scale.width - len(last) - 1, scale.width))
        for at, label in marks:
            span = set(range(at, at + len(label) + 1))
            if at + len(label) <= scale.width and not span & taken:
                row[at : at + len(label)] = label
                taken |= span
        row[: len(first)] = first
        if len(first) + len(last) + 1 <= scale.width:
            row[scale.width - len(last) :] = last
        return Text(" " * (label_width + 1) + "".join(row), style="dim")


def _legend(codes: list[tuple[str, str, str]], width: int) -> list[Text]:
    """The states written as letters, each named in full after its letter in the state's
    colour, as many to a line as fit in ``width``."""
    lines: list[Text] = []
    line = Text()
    for letter, label, style in codes:
        entry = Text.assemble((f" {letter} ", style), f" {label}")
        if line and line.cell_len + 3 + entry.cell_len > width:
            lines.append(line)
            line = Text()
        if line:
            line.append(" · ", style="dim")
        line.append_text(entry)
    if line:
        lines.append(line)
    return lines
