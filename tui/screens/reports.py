"""Management information: referral rates per force and route (Recommendation 1, ¶4.8–4.12).

A chart and the table it is drawn from, both from ``casetracker.services.reports.referrals``; the
unit (calls or people, fn 13) is always named and ``u`` switches it, ``y`` picks the year;
``m`` opens the process map (``tui.screens.flow``).
Below ``NARROW`` columns the table leaves out the split of local referrals (IO or ICE office)
and abbreviates its headings, so that the rates, which are what the report is for, fit.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual_plotext import PlotextPlot

from casetracker.domain import clock
from tui.layout import NARROW, SHORT
from tui.messages import Loaded
from tui.screens.base import SessionScreen
from tui.widgets.vim_table import VimTable

# (column of mi_reports.referrals, heading): every column, and the ones that fit 80 columns.
WIDE_COLUMNS = (
    ("force", "force"),
    ("arrested", "arrested"),
    ("ccu", "CCU"),
    ("local_io", "local IO"),
    ("local_ice_office", "local ICE"),
    ("local_any", "local (any)"),
    ("not_referred", "not referred"),
    ("ccu_rate", "CCU %"),
    ("local_rate", "local %"),
    ("not_referred_rate", "not referred %"),
)
NARROW_COLUMNS = (
    ("force", "force"),
    ("arrested", "arrests"),
    ("ccu", "CCU"),
    ("local_any", "local"),
    ("not_referred", "none"),
    ("ccu_rate", "CCU %"),
    ("local_rate", "local %"),
    ("not_referred_rate", "none %"),
)
NARROW_NOTE = "local = to an IO or the ICE office; none = not referred (wider: both apart)."


YEARS_BACK = 12  # how far back the first report looks for a year with arrests in it
Y_TICKS = (0, 20, 40, 60, 80, 100)  # the chart's axis: round percentages
# On a short terminal the chart has a few rows only: plotext, given more ticks than rows, draws
# an arbitrary few of them (they changed from run to run), so the axis has its two ends.
SHORT_TICKS = (0, 100)


def referral_table(service: Any, year: int, unit: str) -> Any:
    from casetracker.services.reports import read_report, referrals

    return read_report(service, referrals, year=year, count=unit)


def latest_table(service: Any, year: int, unit: str) -> Any:
    """The report for ``year``, or for the latest year before it with arrests recorded (up to
    ``YEARS_BACK``): a screen that opens on an empty chart tells a new user nothing."""
    found = referral_table(service, year, unit)
    for earlier in range(year - 1, year - YEARS_BACK, -1):
        if found.rows:
            break
        found = referral_table(service, earlier, unit)
    return found if found.rows else referral_table(service, year, unit)


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
        Binding("m", "flow", "Map", id="reports.flow", tooltip="The process map (issue 19)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.year = clock.now().year
        self.unit = "calls"
        self.data: Any = None  # the last report read (mi_reports.Table)
        self.narrow = False

    def compose(self) -> ComposeResult:
        yield self.header()
        yield PlotextPlot(id="report-chart")
        yield VimTable(id="report-table")
        yield Static("", id="report-notes")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#report-table").loading = True
        self.run_db("report", latest_table, self.service, self.year, self.unit)

    def load(self) -> None:
        self.query_one("#report-table").loading = True
        self.run_db("report", referral_table, self.service, self.year, self.unit)

    def on_loaded(self, message: Loaded) -> None:
        self.data = table_data = message.data
        year = table_data.meta.get("year") if isinstance(table_data.meta, dict) else None
        self.year = year if isinstance(year, int) else self.year
        self.fill_table()
        forces = [r for r in table_data.rows if r[0] not in ("All forces", "Outside London")]
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if forces:
            names = [str(r[0]) for r in forces]
            ccu = [100 * (r[7] or 0) for r in forces]
            local = [100 * (r[8] or 0) for r in forces]
            # textual-plotext's stub says ``label``; plotext itself takes ``labels``.
            plt.multiple_bar(names, [ccu, local], labels=["CCU %", "local %"])  # type: ignore[call-arg]
            plt.ylim(0, 100)
            self.set_ticks()
        plt.title(table_data.title)
        plot.refresh()
        self.fill_notes()

    def set_ticks(self) -> None:
        """Round percentages on the y axis: every 20% on a tall terminal, the ends on a short
        one (decided by the terminal's size, so a layout still settling changes nothing)."""
        plot = self.query_one(PlotextPlot)
        ticks = SHORT_TICKS if self.app.size.height < SHORT else Y_TICKS
        plot.plt.yticks(list(ticks), [f"{t}%" for t in ticks])
        plot.refresh()

    def on_resize(self) -> None:
        if self.data is not None and self.narrow != (self.app.size.width < NARROW):
            self.fill_table()
            self.fill_notes()
        if self.data is not None and self.data.rows:
            self.set_ticks()

    def fill_table(self) -> None:
        """The table in the columns that fit the terminal, the cursor kept on its row."""
        self.narrow = self.app.size.width < NARROW
        data = self.data
        columns = NARROW_COLUMNS if self.narrow else WIDE_COLUMNS
        index = {name: i for i, name in enumerate(data.columns)}
        table = self.query_one(VimTable)
        row = table.cursor_row
        table.loading = False
        table.clear(columns=True)
        table.add_columns(*[heading for _, heading in columns])
        for values in data.rows:
            table.add_row(*[_cell(values[index[name]]) for name, _ in columns])
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def fill_notes(self) -> None:
        notes = list(self.data.notes) or ["no arrests of foreign nationals recorded that year"]
        if self.narrow and self.data.rows:
            notes.append(NARROW_NOTE)
        self.query_one("#report-notes", Static).update(Text("\n".join(notes), style="dim"))

    def action_unit(self) -> None:
        self.unit = "people" if self.unit == "calls" else "calls"
        self.load()

    def action_year(self) -> None:
        from tui.screens.prompt import PromptScreen, typed_year

        def chosen(value: str | None) -> None:
            year = typed_year(value)
            if year is not None:
                self.year = year
                self.load()

        self.app.push_screen(
            PromptScreen("Report for which year?", "e.g. 2015", str(self.year)), chosen
        )

    def action_flow(self) -> None:
        from tui.screens.flow import FlowScreen

        self.app.push_screen(FlowScreen(self.year))

    def commands(self) -> list[tuple[str, Any, str]]:
        return [
            ("reports: switch calls/people", self.action_unit, "fn 13: the counting unit"),
            ("reports: year…", self.action_year, "choose the year"),
            ("reports: process map", self.action_flow, "which step follows which, and the waits"),
        ]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{100 * value:.1f}%"
    return "—" if value is None else str(value)
