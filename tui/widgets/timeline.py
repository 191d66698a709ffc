"""A case's events in one table with both kinds of time and the auditor's flags.

Rows follow the recorded order (the order of the hash chain); the effective time is shown at
the precision the record has, and out-of-sequence or backdated entries are flagged
(``casetracker.timeline``), so Figure 1's misplaced human-rights claim stands out.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from casetracker.events import RecordedEvent
from casetracker.timeline import build_timeline
from tui.widgets.vim_table import VimTable


def action_label(flow, event: RecordedEvent) -> str:
    spec = flow.specs.get((event.workflow, event.workflow_version))
    action = spec.action(event.action) if spec else None
    return action.label if action else event.action


class Timeline(VimTable):
    DEFAULT_CSS = """
    Timeline { height: 1fr; min-height: 6; }
    """

    def on_mount(self) -> None:
        self.add_columns("#", "⚠", "happened (effective)", "recorded", "action", "lifecycle", "by")

    def show(self, flow, events: Sequence[RecordedEvent], upto: int | None = None) -> None:
        """Fill the table; rows after ``upto`` (an index) are dimmed as not yet happened."""
        entries = {e.seq: e for e in build_timeline(events)}
        self.clear()
        for i, event in enumerate(events):
            entry = entries.get(event.seq)
            later = upto is not None and i > upto
            style = "dim" if later else ""
            flags = ", ".join(f.replace("_", " ") for f in entry.flags) if entry else ""
            lifecycle = (
                event.workflow if not event.instance else f"{event.workflow}#{event.instance}"
            )
            self.add_row(
                Text(str(event.seq), style=style),
                Text("⚠", style="bold yellow") if flags else Text(""),
                Text(entry.effective.display() if entry else event.effective, style=style),
                Text(event.recorded[:16].replace("T", " "), style=style),
                Text(action_label(flow, event), style=style)
                + Text(f"  ⚠ {flags}" if flags else "", style="bold yellow"),
                Text(lifecycle, style=style),
                Text(event.actor_role, style=style),
                key=str(event.seq),
            )
