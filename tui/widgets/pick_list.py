"""A list to pick one entry from (a user, a scenario) that moves with j/k/g/G as well as the
arrow keys, as every other list in the app does (README: "j/k/g/G in lists")."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList


class PickList(OptionList):
    """The same ids (``list.down``…) and keys as the tables' (``RowTable``), so one remapping
    in config.toml moves through every list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down", tooltip="Next row"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up", tooltip="Previous row"),
        Binding("home,g", "first", "First", show=False, id="list.first", tooltip="First row"),
        Binding("end,G", "last", "Last", show=False, id="list.last", tooltip="Last row"),
    ]

    def __init__(self, *, help: str = "", **kwargs: Any) -> None:
        """``help`` says what enter does here, for the help screen's "In this list" line."""
        super().__init__(**kwargs)
        # Textual declares HELP per class; this list says what enter does per instance.
        self.HELP = f"j/k or ↑/↓ move · g/G first/last · enter {help or 'picks the entry'}"  # type: ignore[misc]
