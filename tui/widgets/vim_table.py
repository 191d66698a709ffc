"""A DataTable that also moves with j/k/g/G, as lists do in k9s, lazygit and less."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class VimTable(DataTable):
    DEFAULT_CSS = """
    VimTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down", tooltip="Next row"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up", tooltip="Previous row"),
        Binding("g", "first", "First", show=False, id="list.first", tooltip="First row"),
        Binding("G", "last", "Last", show=False, id="list.last", tooltip="Last row"),
    ]
    HELP = "j/k or ↑/↓ move · g/G first/last · enter opens the highlighted row"

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)

    def action_first(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
