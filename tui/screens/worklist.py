"""The worklist: the signed-in role's queues, most urgent first.

Work mode opens a case to act on it; audit mode lists every case and opens its history,
read-only.  Each page is one indexed query (``casetracker.services.worklists``) run in a worker, so
the list comes back at once even with a million cases.  ``/`` filters on case id, force and text
as you type: the query runs once typing pauses (``FILTER_DELAY``), in a worker, and a reply to
an older filter or queue is dropped, so a slow query never freezes the screen or overwrites a
newer one.  Countdown queues (PACE time left, ¶4.21) are re-timed every 30 seconds.

A page holds ``PAGE`` rows; moving past the last row reads the next page too, so every row of
a queue can be reached (an auditor's "All cases" lists the newest first, and the report's
case studies, C-0000001 and C-0000002, come last).  There a number typed into the filter is
read as a case id (``1`` is C-0000001), as everywhere else in casetracker.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Input, Static, Tab, Tabs

from casetracker.domain.queues import ALL_CASES, WorkItem, queues_for
from casetracker.services import worklists
from tui.layout import NARROW
from tui.messages import Failed, Loaded
from tui.screens.base import SessionScreen
from tui.widgets.work_table import WorkTable, queue_title

PAGE = 200
# Seconds before "opening C-…" is shown: a quick open should not redraw the list behind it.
OPENING_NOTE = 0.15
# Seconds of no typing before the filter runs: one query per pause, not one per key.
FILTER_DELAY = 0.25


class WorklistScreen(SessionScreen):
    AUTO_FOCUS = "#worklist"
    HELP = (
        "Your queues, most urgent first.  Number keys pick a queue, / filters (case id, force "
        "or words), enter opens the case, o opens a case by its id.  In audit mode every case "
        "is listed and opens read-only, to step through its history; / there takes a case id "
        "or number.  Moving past the last row read reads the next rows."
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
        self.queues = queues = queues_for(role) if mode == "work" else [ALL_CASES]
        self.queue = queues[0]
        self.items: list[WorkItem] = []
        self.total = 0
        self.filter_text = ""
        self.limit = PAGE  # rows read: a page more each time the cursor goes past the last
        self.reading_more = False
        self.opening: Timer | None = None  # shows "opening C-…" if the read is slow
        self.typing: Timer | None = None  # runs the filter when typing pauses

    def compose(self) -> ComposeResult:
        narrow = self.app.size.width < NARROW
        yield self.header()
        yield Tabs(
            *[
                Tab(f"{i} {queue_title(q, narrow)}", id=f"q-{q.name}")
                for i, q in enumerate(self.queues, 1)
            ],
            id="queues",
        )
        filter_box = Input(
            placeholder="filter: case id, force or words — filters as you type, esc clears",
            id="filter",
        )
        filter_box.display = False
        yield filter_box
        yield WorkTable(id="worklist")
        yield Static("", id="worklist-status")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(WorkTable).focus()
        self.load()
        self.set_interval(30, self.retime)

    def on_resize(self) -> None:
        """Short tab labels and no ``item`` column when narrow; long ones when there is room."""
        narrow = self.app.size.width < NARROW
        for i, queue in enumerate(self.queues, 1):
            tab = self.query_one(f"#q-{queue.name}", Tab)
            label = f"{i} {queue_title(queue, narrow)}"
            if tab.label_text != label:
                tab.label = label
        if self.items:
            self.fill()

    def on_screen_resume(self) -> None:
        """Coming back from a case: what was done there may have moved it between queues."""
        if self.query_one(WorkTable).row_count or self.filter_text:
            self.show_status()
            self.load()

    # ------------------------------------------------------------ loading

    def load(self, quiet: bool = False, more: bool = False) -> None:
        """Read the rows in a worker; ``quiet`` keeps the rows shown meanwhile (filtering),
        ``more`` reads a page more than is shown (else as many rows as are shown: coming
        back from a case keeps the place in a long list)."""
        if more:
            self.limit += PAGE
            self.query_one("#worklist-status", Static).update(
                Text(f" reading rows {len(self.items) + 1}–{self.limit}…", style="italic")
            )
        elif quiet:
            self.query_one("#worklist-status", Static).update(
                Text(f" filtering “{self.filter_text}”…", style="italic")
            )
        else:
            self.query_one(WorkTable).loading = True
        query = self.query_text()
        self.run_db("worklist", self._fetch, self.service, self.queue.name, query, self.limit)

    def query_text(self) -> str:
        """The filter as the query takes it: in "All cases", which matches case ids only, a
        number is the case of that number."""
        text = self.filter_text
        if self.queue.name == ALL_CASES.name and text.isdigit():
            return f"C-{int(text):07d}"
        return text

    @staticmethod
    def _fetch(
        service: Any, queue: str, text: str, limit: int
    ) -> tuple[str, str, list[WorkItem], int]:
        items = worklists.page(service, queue, text, limit)
        total = len(items) if text else worklists.count(service, queue)
        return queue, text, items, total

    def on_loaded(self, message: Loaded) -> None:
        if message.what == "open":
            self.opened(*message.data)
            return
        queue, text, items, total = message.data
        if queue != self.queue.name or text != self.query_text():
            return  # a reply to a queue or a filter since replaced
        self.reading_more = False
        self.items, self.total = items, total
        self.fill()
        self.query_one(WorkTable).loading = False
        self.show_status()

    def more_to_read(self) -> bool:
        """Whether rows past the last one shown exist (a filter's total is not counted:
        a full page may have more)."""
        if self.filter_text:
            return len(self.items) >= self.limit
        return self.total > len(self.items)

    def show_status(self) -> None:
        total, items = self.total, self.items
        shown = f"{total}+" if total >= 1000 else str(total)
        everything = self.queue.name == ALL_CASES.name
        noun = ("case" if total == 1 else "cases") if everything else "in this queue"
        what = f"matching “{self.filter_text}”" if self.filter_text else noun
        more = (
            f" (rows 1–{len(items)} read: ↓ past the last reads more)"
            if self.more_to_read()
            else ""
        )
        verb = "open the case" if self.mode == "work" else "step through its history"
        find = "case number" if everything else "filter"
        self.query_one("#worklist-status", Static).update(
            Text.assemble(
                (f" {shown} ", "bold reverse"), f" {what}{more} · enter: {verb} · /: {find}"
            )
        )

    def fill(self) -> None:
        self.query_one(WorkTable).show(self.queue, self.items)

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
            self.limit = PAGE
            self.load()

    def action_pick(self, index: int) -> None:
        if index < len(self.queues):
            self.query_one(Tabs).active = f"q-{self.queues[index].name}"

    def action_queue(self, step: int) -> None:
        index = (self.queues.index(self.queue) + step) % len(self.queues)
        self.action_pick(index)

    def action_filter(self) -> None:
        """Show the filter box and focus it now, not a turn of the message loop later, so that
        the next key typed goes into it."""
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        self.set_focus(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the user types, once typing pauses."""
        if event.input.id != "filter" or event.value.strip() == self.filter_text:
            return
        if self.typing is not None:
            self.typing.stop()
        self.typing = self.set_timer(FILTER_DELAY, lambda: self.apply_filter(event.value))

    def apply_filter(self, value: str) -> None:
        self.typing = None
        text = value.strip()
        if text != self.filter_text:
            self.filter_text = text
            self.limit = PAGE
            self.load(quiet=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: filter now (if typing has not already) and go back to the list."""
        if event.input.id == "filter":
            if self.typing is not None:
                self.typing.stop()
            self.apply_filter(event.value)
            if not self.filter_text:
                event.input.display = False
            self.set_focus(self.query_one(WorkTable))

    def on_key(self, event: Any) -> None:
        box = self.query_one("#filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            if self.typing is not None:
                self.typing.stop()
                self.typing = None
            box.value = ""
            box.display = False
            self.set_focus(self.query_one(WorkTable))
            if self.filter_text:
                self.filter_text = ""
                self.limit = PAGE
                self.load()

    def action_reload(self) -> None:
        self.load()

    def on_row_table_row_highlighted(self, event: WorkTable.RowHighlighted) -> None:
        """The cursor reached the last row read: read the next page, in the background."""
        last = event.cursor_row >= len(self.items) - 1
        if self.items and last and self.more_to_read() and not self.reading_more:
            self.reading_more = True
            self.load(quiet=True, more=True)

    def on_row_table_row_selected(self, event: WorkTable.RowSelected) -> None:
        case_id, _, item = event.key.partition("/")
        self.open_case(case_id, item)

    def open_case(self, case_id: str, item: str = "") -> None:
        """Read the case first, then show it complete (no half-drawn screen, one layout)."""
        if self.mode == "audit":
            from tui.screens.audit import AuditScreen

            self.app.push_screen(AuditScreen(case_id))
            return
        from tui.screens.case import CaseScreen

        status = self.query_one("#worklist-status", Static)
        if self.opening is not None:
            self.opening.stop()
        self.opening = self.set_timer(
            OPENING_NOTE, lambda: status.update(Text(f" opening {case_id}…", style="italic"))
        )
        self.run_db("open", lambda: (case_id, item, CaseScreen.read(self.service, case_id)))

    def on_failed(self, message: Failed) -> None:
        self.reading_more = False
        if message.what == "open":
            self.stop_opening()
            self.show_status()
        super().on_failed(message)

    def stop_opening(self) -> None:
        if self.opening is not None:
            self.opening.stop()
            self.opening = None

    def opened(self, case_id: str, item: str, data: Any) -> None:
        from tui.screens.case import CaseScreen

        self.stop_opening()
        screen = CaseScreen.reusable(self.app)
        screen.take(case_id, data, focus=item)
        self.app.push_screen(screen)  # "opening…" stays until we are back: no redraw behind

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
