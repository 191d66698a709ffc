"""The process map as a picture in the terminal (issue 19): one line per path, busiest first,
its bar as long as its share of the busiest, heavy for the busiest quarter, and the slowest
waits in red.  The lines come from ``casetracker.presenters.flow_diagram.map_lines``, which the
tests read too; this widget only lays them out and scrolls."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from casetracker.presenters.flow_diagram import map_lines


class FlowMap(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    FlowMap { height: 1fr; }
    FlowMap > Static { width: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="flow-lines")

    def draw(self, graph: Any) -> None:
        """Draw ``graph`` (``casetracker.services.flow.FlowGraph``) at the widget's width."""
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, (line, style) in enumerate(map_lines(graph, self.size.width or 80)):
            text.append(("\n" if n else "") + line, style=style)
        self.query_one("#flow-lines", Static).update(text)
