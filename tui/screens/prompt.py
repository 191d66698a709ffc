"""Ask for one line of text (a case id, a date, a reason); esc cancels."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static


class PromptScreen(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without answering")
    ]
    HELP = "Type and press enter; esc cancels."

    def __init__(self, title: str, placeholder: str = "", value: str = "", note: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value, self.note = title, placeholder, value, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.note:
                yield Static(self.note, classes="dialog-note")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def typed_year(text: str | None) -> int | None:
    """The year a person typed into a prompt, within 1..9999 as the command line's ``--year``;
    None for anything else (a number too large for the database had stopped the app)."""
    cleaned = (text or "").strip()
    if cleaned.isdecimal() and len(cleaned) <= 4 and 1 <= int(cleaned) <= 9999:
        return int(cleaned)
    return None
