"""A one-line bar naming the panes of a screen too narrow to show them side by side: the one
on screen in reverse, the others dimmed, and the key that switches (tab)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static


class PaneBar(Static):
    def show(self, panes: Sequence[tuple[str, str]], current: str) -> None:
        """``panes`` are (name, label) in screen order; ``current`` names the one shown."""
        bar = Text(" ")
        for name, label in panes:
            bar.append(f" {label} ", "bold reverse" if name == current else "dim")
            bar.append("  ")
        bar.append("tab switches", "dim italic")
        self.update(bar)
