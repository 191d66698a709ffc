"""Who consulted, disclosed or was refused what on a case (Data Protection Act 2018 s.62).

Reading the access log is itself logged by the service."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from casetracker.presenters.text import recorded_time
from tui.messages import Loaded
from tui.screens.base import SessionScreen
from tui.widgets.vim_table import VimTable


class AccessLogScreen(SessionScreen):
    AUTO_FOCUS = "#access"
    HELP = "Every read of this case, newest last: who, in which role, what, and any reason given."

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.TITLE_TEXT = f"access log {case_id}"

    def compose(self) -> ComposeResult:
        yield self.header()
        yield VimTable(id="access")
        yield Static("", id="access-status")
        yield self.footer()

    def on_mount(self) -> None:
        table = self.query_one(VimTable)
        table.add_columns("#", "recorded (UK)", "user", "role", "what", "reason", "detail")
        table.loading = True
        table.focus()
        self.run_db("access", self.service.access_entries, self.case_id, 500)

    def on_loaded(self, message: Loaded) -> None:
        table = self.query_one(VimTable)
        table.loading = False
        for entry in message.data:
            detail = json.loads(entry.detail or "{}")
            style = "bold red" if entry.action == "denied" else ""
            table.add_row(
                str(entry.position),
                recorded_time(entry.recorded, seconds=True),
                entry.user,
                entry.role,
                Text(entry.action, style=style),
                entry.justification,
                ", ".join(f"{k}={v}" for k, v in detail.items() if v not in ("", None)),
            )
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
        self.query_one("#access-status", Static).update(
            Text(f" {entries(len(message.data))} · this reading has been logged too", style="dim")
        )


def entries(n: int) -> str:
    """``1 entry``, ``2 entries``."""
    return f"{n:,} {'entry' if n == 1 else 'entries'}"
