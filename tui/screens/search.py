"""Find a case by the person or by attributes (issue 16 item 4), as ``casetracker case search``.

The form asks what the command line asks, checked the one way (``search.criteria_from``) and
searched by the same service call, which logs the search with its reason and keeps the user
inside their force.  Results name cases and their states, nothing personal; enter on one closes
the form with its case id, which the worklist then opens.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Label, Static

from casetracker.domain.errors import CasetrackerError
from casetracker.services import search
from tui.messages import Failed, Loaded

FIELDS = (
    ("s-name", "Name (every word)", "e.g. o'brien"),
    ("s-dob", "Date of birth", "YYYY-MM-DD"),
    ("s-nationality", "Nationality", "claimed or verified"),
    ("s-identifier", "PNC or Home Office reference", "e.g. PNC 12/345X"),
    ("s-state", "Lifecycle state", "e.g. detention=immigration_detention"),
    ("s-force", "Force (an arrest by it)", "e.g. MPS"),
    ("s-reason", "Reason (logged) *", "why you search"),
)


class SearchScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="search.cancel", tooltip="Close, opening nothing"),
        Binding("ctrl+s", "search", "Search", id="search.run", tooltip="Search (logged)"),
    ]
    HELP = (
        "Find cases by what you know of the person (every word of the name, date of birth, "
        "nationality, a PNC or Home Office reference) and by attributes; every criterion given "
        "must hold.  A reason is required: each search is logged with it.  Results name cases, "
        "not people; enter opens one."
    )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="search-form"):
            yield Label("Search for a case", classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                for ident, label, hint in FIELDS:
                    yield Label(Text(label, style="bold"))
                    yield Input(id=ident, placeholder=hint)
                with Horizontal():
                    yield Checkbox("High Harm", id="s-high-harm")
                    yield Checkbox("Listed absconder", id="s-absconder")
            yield Static("", id="s-status")
            yield DataTable(id="s-results", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#s-results", DataTable).add_columns("case", "opened", "where it stands")
        self.query_one("#s-name", Input).focus()

    def typed(self, ident: str) -> str:
        return self.query_one(f"#{ident}", Input).value

    def action_search(self) -> None:
        """Check what was typed and search in a thread worker (the service logs it)."""
        service: Any = self.app.service  # type: ignore[attr-defined]
        high_harm = self.query_one("#s-high-harm", Checkbox).value
        absconder = self.query_one("#s-absconder", Checkbox).value
        state = self.typed("s-state").strip()
        reason = self.typed("s-reason")

        def job() -> None:
            try:
                criteria = search.criteria_from(
                    service,
                    name=self.typed("s-name"),
                    dob=self.typed("s-dob"),
                    nationality=self.typed("s-nationality"),
                    identifier=self.typed("s-identifier"),
                    force=self.typed("s-force"),
                    states=[state] if state else [],
                    high_harm=high_harm,
                    absconder=absconder,
                )
                found = search.search(service, criteria, reason)
            except CasetrackerError as exc:
                self.post_message(Failed("search", exc))
                return
            self.post_message(Loaded("search", found))

        self.query_one("#s-status", Static).update(Text(" searching…", style="italic"))
        self.run_worker(job, thread=True, exclusive=True, group="search", name="search")

    def on_loaded(self, message: Loaded) -> None:
        table = self.query_one("#s-results", DataTable)
        table.clear()
        for found in message.data:
            table.add_row(found.case_id, found.opened[:10], found.summary, key=found.case_id)
        count = len(message.data)
        note = f" {count} case{'s' if count != 1 else ''} found · this search has been logged"
        self.query_one("#s-status", Static).update(Text(note, style="dim"))
        if count:
            table.focus()

    def on_failed(self, message: Failed) -> None:
        self.query_one("#s-status", Static).update(Text(f" {message.error}", style="bold red"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_search()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
