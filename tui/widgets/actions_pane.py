"""The case screen's side pane: the actions now (``ActionList``) under a title, and a note
below them that counts the allowed and dimmed ones, or says what is in flight."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from casetracker.domain.engine import Option
from tui.widgets.action_list import ActionList


class ActionsPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(Text("actions now", style="bold"), id="actions-title")
        yield ActionList(id="actions")
        yield Static("", id="action-note")

    def show(self, shown: list[Option], flow: Any, hidden: int) -> None:
        """List ``shown`` (as ``shown_options`` chose them) and count them in the note, with
        ``hidden``: the actions only another role may take, not listed (``o`` lists them)."""
        self.query_one(ActionList).show(shown, flow)
        allowed = sum(1 for o in shown if o.allowed)
        parts = [f"{allowed} allowed", f"{len(shown) - allowed} dimmed · x: why not"]
        if hidden:
            parts.append(f"o: {hidden} for other roles")
        self.note(Text(" · ".join(parts), style="dim"))

    def note(self, text: Text) -> None:
        """Replace the note under the actions (e.g. "recording…" while a write is in flight)."""
        self.query_one("#action-note", Static).update(text)
