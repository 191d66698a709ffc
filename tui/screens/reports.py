"""Management information: referral rates per force and route (Recommendation 1, ¶4.8–4.12).

A chart and the table it is drawn from, both from ``casetracker.mi_reports.referrals``; the
unit (calls or people, fn 13) is always named and ``u`` switches it, ``y`` picks the year.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual_plotext import PlotextPlot

from casetracker import clock
from casetracker.database import read_transaction
from tui.messages import Loaded
from tui.screens.base import SessionScreen
from tui.widgets.vim_table import VimTable


def referral_table(engine: Any, year: int, unit: str) -> Any:
    from casetracker.mi_reports import referrals

    with read_transaction(engine) as conn:
        return referrals(conn, year, unit)


class ReportsScreen(SessionScreen):
    AUTO_FOCUS = "#report-table"
    TITLE_TEXT = "reports"
    HELP = (
        "Referrals of arrested foreign nationals per force, by route: CCU or local (an IO or "
        "the ICE office).  u switches between counting calls and people (fn 13); y picks the "
        "year."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "u", "unit", "Calls/people", id="reports.unit", tooltip="Count calls or people (fn 13)"
        ),
        Binding("y", "year", "Year…", id="reports.year", tooltip="Choose the year"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.year = clock.now().year
        self.unit = "calls"

    def compose(self) -> ComposeResult:
        yield self.header()
        yield PlotextPlot(id="report-chart")
        yield VimTable(id="report-table")
        yield Static("", id="report-notes")
        yield self.footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        self.query_one("#report-table").loading = True
        self.run_db("report", referral_table, self.service.engine, self.year, self.unit)

    def on_loaded(self, message: Loaded) -> None:
        table_data = message.data
        table = self.query_one(VimTable)
        table.loading = False
        table.clear(columns=True)
        table.add_columns(*[c.replace("_", " ") for c in table_data.columns[:-1]])
        for row in table_data.rows:
            table.add_row(*[_cell(v) for v in row[:-1]])
        forces = [r for r in table_data.rows if r[0] not in ("All forces", "Outside London")]
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if forces:
            names = [str(r[0]) for r in forces]
            ccu = [100 * (r[7] or 0) for r in forces]
            local = [100 * (r[8] or 0) for r in forces]
            plt.multiple_bar(names, [ccu, local], labels=["CCU %", "local %"])
        plt.title(table_data.title)
        plot.refresh()
        notes = "\n".join(table_data.notes) or "no arrests of foreign nationals recorded that year"
        self.query_one("#report-notes", Static).update(Text(notes, style="dim"))

    def action_unit(self) -> None:
        self.unit = "people" if self.unit == "calls" else "calls"
        self.load()

    def action_year(self) -> None:
        from tui.screens.prompt import PromptScreen

        def chosen(value: str | None) -> None:
            if value and value.strip().isdigit():
                self.year = int(value.strip())
                self.load()

        self.app.push_screen(
            PromptScreen("Report for which year?", "e.g. 2015", str(self.year)), chosen
        )

    def commands(self) -> list[tuple[str, Any, str]]:
        return [
            ("reports: switch calls/people", self.action_unit, "fn 13: the counting unit"),
            ("reports: year…", self.action_year, "choose the year"),
        ]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{100 * value:.1f}%"
    return "—" if value is None else str(value)
