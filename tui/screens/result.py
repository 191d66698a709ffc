"""What an action recorded, shown at once: the new state and the audit entry (the event with
its position, both times and its hash in the chain), named by the definitions' labels."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from casetracker.presenters.labels import lifecycle_label, role_label
from casetracker.presenters.text import effective_text, recorded_time


class ResultScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,enter,space", "close", "Close", id="dialog.close", tooltip="Back to the case"
        )
    ]
    HELP = "The event just written to the case's hash chain."

    def __init__(self, title: str, result) -> None:
        super().__init__()
        self.title_text, self.result = title, result

    def compose(self) -> ComposeResult:
        event = self.result.events[-1]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        flow = self.app.service.flow  # type: ignore[attr-defined]
        spec = flow.specs.get((event.workflow, event.workflow_version))
        state = spec.state(self.result.state) if spec else None
        action = spec.action(event.action) if spec else None
        record = lifecycle_label(flow, event.workflow, event.instance)
        now = state.label if state else self.result.state
        grid.add_row("now", Text(f"{record}: {now}", style="bold green"))
        grid.add_row("event", f"{event.seq} of {event.case_id} (position {event.position})")
        grid.add_row(
            "action",
            f"{action.label if action else event.action} by {event.actor_user} "
            f"as {role_label(event.actor_role)}",
        )
        grid.add_row("happened", effective_text(event.effective))
        grid.add_row("recorded", recorded_time(event.recorded, seconds=True))
        grid.add_row("hash", event.hash)
        grid.add_row("previous", event.prev_hash)
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(grid)
            yield Static(Text("enter to go back to the case", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
