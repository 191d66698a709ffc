"""The worklist: the signed-in role's queues, most urgent first.

Work mode opens a case to act on it; audit mode lists every case and opens its history,
read-only.  Each page is one indexed query (``casetracker.worklist``) run in a worker, so the
list comes back at once even with a million cases; ``/`` filters on case id, force and text.
Countdown queues (PACE time left, ¶4.21) are re-timed every 30 seconds.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input, Static, Tab, Tabs

from casetracker import clock, worklist
from casetracker.worklist import WorkItem
from tui.messages import Loaded
from tui.screens.base import SessionScreen
from tui.widgets.vim_table import VimTable

PAGE = 200


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d}"
    return f"{seconds // 86400} d"


def urgency(item: WorkItem, countdown: bool) -> Text:
    """Time left before a deadline, or how long the item has waited."""
    due = item.due_time
    if due is None:
        return Text("—", style="dim")
    now = clock.now()
    if countdown:
        left = due - now
        if left.total_seconds() <= 0:
            return Text("EXPIRED", style="bold white on red")
        style = (
            "bold red"
            if left < timedelta(hours=2)
            else "bold yellow"
            if left < timedelta(hours=6)
            else ""
        )
        return Text(_span(left), style=style)
    if due > now:
        return Text(f"in {_span(due - now)}", style="bold")
    return Text(f"{_span(now - due)} ago")


def _label(label: str) -> Text:
    if label.startswith("HIGH HARM"):
        return Text.assemble(("HIGH HARM", "bold white on red"), label[len("HIGH HARM") :])
    return Text(label)


class WorklistScreen(SessionScreen):
    AUTO_FOCUS = "#worklist"
    HELP = (
        "Your queues, most urgent first.  Number keys pick a queue, / filters (case id, force "
        "or words), enter opens the case, o opens a case by its id.  In audit mode every case "
        "is listed and opens read-only, to step through its history."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="worklist.filter", tooltip="Filter the list"),
        Binding(
            "o", "open_by_id", "Open case…", id="worklist.open", tooltip="Open a case by its id"
        ),
        Binding("r", "reload", "Reload", id="worklist.reload", tooltip="Reload the queue"),
        Binding(
            "right,l",
            "queue(1)",
            "Next queue",
            show=False,
            id="worklist.next",
            tooltip="Next queue",
        ),
        Binding(
            "left,h",
            "queue(-1)",
            "Previous queue",
            show=False,
            id="worklist.prev",
            tooltip="Previous queue",
        ),
        *[
            Binding(
                str(n), f"pick({n - 1})", show=False, id=f"worklist.queue{n}", tooltip=f"Queue {n}"
            )
            for n in range(1, 10)
        ],
    ]

    def __init__(self, mode: str = "work") -> None:
        super().__init__()
        self.mode = mode
        self.TITLE_TEXT = "worklist" if mode == "work" else "audit: all cases"
        role = self.app.actor.role if self.app.actor else ""  # type: ignore[attr-defined]
        self.queues = queues = worklist.queues_for(role) if mode == "work" else [worklist.ALL_CASES]
        self.queue = queues[0]
        self.items: list[WorkItem] = []
        self.total = 0
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Tabs(
            *[Tab(f"{i} {q.title}", id=f"q-{q.name}") for i, q in enumerate(self.queues, 1)],
            id="queues",
        )
        filter_box = Input(
            placeholder="filter: case id, force or words — enter to apply, esc to clear",
            id="filter",
        )
        filter_box.display = False
        yield filter_box
        yield VimTable(id="worklist")
        yield Static("", id="worklist-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(VimTable)
        table.add_columns(self.queue.due_means, "case", "force", "what", "item")
        table.focus()
        self.load()
        self.set_interval(30, self.retime)

    def on_screen_resume(self) -> None:
        """Coming back from a case: what was done there may have moved it between queues."""
        if self.query_one(VimTable).row_count or self.filter_text:
            self.load()

    # ------------------------------------------------------------ loading

    def load(self) -> None:
        table = self.query_one(VimTable)
        table.loading = True
        engine = self.service.engine
        self.run_db("worklist", self._fetch, engine, self.queue.name, self.filter_text)

    @staticmethod
    def _fetch(engine: Any, queue: str, text: str) -> tuple[str, list[WorkItem], int]:
        items = worklist.page(engine, queue, text, PAGE)
        total = len(items) if text else worklist.count(engine, queue)
        return queue, items, total

    def on_loaded(self, message: Loaded) -> None:
        if message.what == "open":
            self.opened(*message.data)
            return
        queue, items, total = message.data
        if queue != self.queue.name:
            return
        self.items, self.total = items, total
        self.fill()
        self.query_one(VimTable).loading = False
        self.show_status()

    def show_status(self) -> None:
        total, items = self.total, self.items
        shown = f"{total}+" if total >= 1000 else str(total)
        what = f"matching “{self.filter_text}”" if self.filter_text else "in this queue"
        more = f" (showing the first {len(items)})" if total > len(items) else ""
        verb = "open the case" if self.mode == "work" else "step through its history"
        self.query_one("#worklist-status", Static).update(
            Text.assemble(
                (f" {shown} ", "bold reverse"), f" {what}{more} · enter: {verb} · /: filter"
            )
        )

    def fill(self) -> None:
        table = self.query_one(VimTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(self.queue.due_means, "case", "force", "what", "item")
        for item in self.items:
            table.add_row(
                urgency(item, self.queue.countdown),
                Text(item.case_id, style="bold"),
                item.force,
                _label(item.label),
                Text(item.item, style="dim"),
                key=f"{item.case_id}/{item.item}",
            )
        if self.items:
            table.move_cursor(row=min(row, len(self.items) - 1))

    def retime(self) -> None:
        if self.queue.countdown and self.items:
            self.fill()

    # ------------------------------------------------------------ actions

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "q-").removeprefix("q-")
        chosen = next((q for q in self.queues if q.name == name), self.queue)
        if chosen is not self.queue:
            self.queue = chosen
            self.items = []
            self.load()

    def action_pick(self, index: int) -> None:
        if index < len(self.queues):
            self.query_one(Tabs).active = f"q-{self.queues[index].name}"

    def action_queue(self, step: int) -> None:
        index = (self.queues.index(self.queue) + step) % len(self.queues)
        self.action_pick(index)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.filter_text = event.value.strip()
            if not self.filter_text:
                event.input.display = False
            self.query_one(VimTable).focus()
            self.load()

    def on_key(self, event: Any) -> None:
        box = self.query_one("#filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.display = False
            self.filter_text = ""
            self.query_one(VimTable).focus()
            self.load()

    def action_reload(self) -> None:
        self.load()

    def on_data_table_row_selected(self, event: VimTable.RowSelected) -> None:
        case_id, _, item = (event.row_key.value or "").partition("/")
        self.open_case(case_id, item)

    def open_case(self, case_id: str, item: str = "") -> None:
        """Read the case first, then show it complete (no half-drawn screen, one layout)."""
        if self.mode == "audit":
            from tui.screens.audit import AuditScreen

            self.app.push_screen(AuditScreen(case_id))
            return
        from tui.screens.case import CaseScreen

        self.query_one("#worklist-status", Static).update(
            Text(f" opening {case_id}…", style="italic")
        )
        self.run_db("open", lambda: (case_id, item, CaseScreen.read(self.service, case_id)))

    def opened(self, case_id: str, item: str, data: Any) -> None:
        from tui.screens.case import CaseScreen

        self.app.push_screen(CaseScreen(case_id, data, focus=item))
        self.show_status()

    def action_open_by_id(self) -> None:
        from tui.screens.prompt import PromptScreen

        def opened(value: str | None) -> None:
            if value:
                wanted = value.strip().upper()
                if wanted.isdigit():
                    wanted = f"C-{int(wanted):07d}"
                self.open_case(wanted)

        self.app.push_screen(PromptScreen("Open case", "case id, e.g. C-0000001 or 1"), opened)

    def commands(self) -> list[tuple[str, Any, str]]:
        out: list[tuple[str, Any, str]] = [
            (f"worklist: {q.title}", lambda i=i: self.action_pick(i), f"queue {i + 1}")
            for i, q in enumerate(self.queues)
        ]
        out.append(("case: open by id…", self.action_open_by_id, "open any case by its id"))
        out.append(("worklist: filter", self.action_filter, "filter by case id, force or words"))
        return out
