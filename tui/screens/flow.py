"""The process map (issue 19): which step follows which, how often and how long between,
for every case or for one lifecycle's instances, drawn by ``tui.widgets.flow_map`` from
``casetracker.services.flow`` (the graph ``casetracker report flow`` prints).  Opened from the
reports screen (``m``); ``l`` follows another lifecycle, ``y`` picks the year."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from tui.messages import Loaded
from tui.screens.base import SessionScreen
from tui.widgets.flow_map import FlowMap

# What ``l`` steps through: the whole case, then the lifecycles a year's map is read for.
LIFECYCLES = (None, "encounter", "status_check", "detention", "etd", "reporting", "removal")


def flow_graph(service: Any, year: int | None, lifecycle: str | None) -> Any:
    from casetracker.services.flow import read_flow

    return read_flow(service, year=year, lifecycle=lifecycle)


class FlowScreen(SessionScreen):
    AUTO_FOCUS = "FlowMap"
    TITLE_TEXT = "process map"
    HELP = (
        "Which step follows which, how often, and the median and 90th-percentile wait between "
        "them: the busiest paths heavier, the slowest waits red with ⏳.  l follows one "
        "lifecycle's instances (arrests, status checks, …) instead of whole cases; y picks the "
        "year."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "lifecycle", "Lifecycle", id="flow.lifecycle", tooltip="Follow a lifecycle"),
        Binding("y", "year", "Year…", id="flow.year", tooltip="Choose the year"),
    ]

    def __init__(self, year: int | None = None) -> None:
        super().__init__()
        self.year = year
        self.lifecycle: str | None = None
        self.graph: Any = None

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static("", id="flow-title")
        yield FlowMap()
        yield Static("", id="flow-notes")
        yield self.footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self.query_one(FlowMap).loading = True
        self.run_db("flow", flow_graph, self.service, self.year, self.lifecycle)

    def on_loaded(self, message: Loaded) -> None:
        self.graph = graph = message.data
        chart = self.query_one(FlowMap)
        chart.loading = False
        chart.draw(graph)
        self.query_one("#flow-title", Static).update(Text(graph.title, style="bold"))
        notes = Text(
            f"{graph.traces:,} traces · ━ busiest quarter · ⏳ slowest waits (p90) · "
            "`casetracker report flow --format mermaid` draws it as a file",
            style="dim",
        )
        if graph.from_log:  # the read model could not be caught up: say why it took longer
            notes.append(f"\n{graph.from_log}", style="yellow")
        self.query_one("#flow-notes", Static).update(notes)

    def on_resize(self) -> None:
        if self.graph is not None:
            self.query_one(FlowMap).draw(self.graph)

    def action_lifecycle(self) -> None:
        self.lifecycle = LIFECYCLES[(LIFECYCLES.index(self.lifecycle) + 1) % len(LIFECYCLES)]
        self.load()

    def action_year(self) -> None:
        from tui.screens.prompt import PromptScreen, typed_year

        def chosen(value: str | None) -> None:
            text = (value or "").strip()
            if typed_year(text) is not None or text == "":
                self.year = typed_year(text)
                self.load()

        self.app.push_screen(
            PromptScreen(
                "Process map for which year? (empty: all)", "e.g. 2015", str(self.year or "")
            ),
            chosen,
        )

    def commands(self) -> list[tuple[str, Any, str]]:
        return [
            (
                "map: follow another lifecycle",
                self.action_lifecycle,
                "whole cases or one lifecycle",
            ),
            ("map: year…", self.action_year, "choose the year"),
        ]
