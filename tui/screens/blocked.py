"""Why an action is not allowed: every reason, the rule that gave it, and what would lift it.

DOMAIN.md: guards must explain themselves.  The reasons come from the engine's ``Block``s, so
they are exactly what the service would refuse with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from casetracker.domain.case_view import Block
from casetracker.presenters.labels import readable_block, rule_label


def reasons_text(blocks: Sequence[Block], flow: Any = None) -> Text:
    """Each reason, what would lift it, and which rule gave it: a guard by what it requires,
    a role or a state refusal by what it is; roles, records, actions and states named by their
    labels (``flow``: the definitions) rather than their identifiers."""
    text = Text()
    for block in (readable_block(b, flow) for b in blocks):
        kind = rule_label(block.rule)
        text.append(f"✗ {block.reason}\n", style="bold")
        if block.remedy:
            text.append(f"   → {block.remedy}\n", style="green")
        text.append(f"   ({kind})\n", style="dim")
    return text


class BlockedScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,x,q", "close", "Close", id="dialog.close", tooltip="Close")
    ]
    HELP = "Each reason names the rule (guard) that blocks the action and what would lift it."

    def __init__(self, title: str, sections: Sequence[tuple[str, Sequence[Block]]]) -> None:
        super().__init__()
        self.title_text, self.sections = title, sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll():
                for heading, blocks in self.sections:
                    if heading:
                        yield Static(Text(heading, style="bold underline"))
                    flow = getattr(getattr(self.app, "service", None), "flow", None)
                    yield Static(reasons_text(blocks, flow))
            yield Static(Text("esc to close", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
