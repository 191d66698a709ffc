"""A case's events in one table with both kinds of time and the auditor's flags.

Rows follow the recorded order (the order of the hash chain); the effective time is shown at
the precision the record has, and out-of-sequence or backdated entries are flagged
(``casetracker.presenters.timeline``), so Figure 1's misplaced human-rights claim stands out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from casetracker.domain.events import RecordedEvent
from casetracker.presenters.labels import lifecycle_label, role_label
from casetracker.presenters.text import recorded_time
from casetracker.presenters.timeline import build_timeline
from tui.layout import NARROW
from tui.widgets.row_table import RowTable

# "happened" is the effective time (when it happened, as precise as the record is); "recorded"
# is when it was written down.  Both are in UK local time, so that a record never seems to
# precede what it records; the headings say so.  Short headings leave the action its room at
# 80 columns.
COLUMNS = ("#", "⚠", "happened (UK)", "recorded (UK)", "action", "lifecycle", "by")
# Below ``NARROW`` columns the recorded time is its day (a late record is flagged ⚠ all the
# same), so that what happened, the action, its lifecycle and who did it keep their room.
NARROW_COLUMNS = ("#", "⚠", "happened (UK)", "recorded", "action", "lifecycle", "by")


def action_label(flow: Any, event: RecordedEvent) -> str:
    spec = flow.specs.get((event.workflow, event.workflow_version))
    action = spec.action(event.action) if spec else None
    return action.label if action else event.action


class Timeline(RowTable):
    DEFAULT_CSS = """
    Timeline { height: 1fr; min-height: 6; }
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("zebra_stripes", True)
        # action, lifecycle, by: cut (with an ellipsis) rather than pushed off screen; at their
        # narrowest they fit 80 columns beside both times, "by" too
        kwargs.setdefault("flex", {2: 16, 4: 14, 5: 10, 6: 6})
        super().__init__(**kwargs)

    def show(self, flow: Any, events: Sequence[RecordedEvent], upto: int | None = None) -> None:
        """Fill the table; rows after ``upto`` (an index) are dimmed as not yet happened."""
        entries = {e.seq: e for e in build_timeline(events)}
        narrow = 0 < self.app.size.width < NARROW
        rows = []
        for i, event in enumerate(events):
            entry = entries.get(event.seq)
            style = "dim" if upto is not None and i > upto else ""
            flags = ", ".join(f.replace("_", " ") for f in entry.flags) if entry else ""
            lifecycle = lifecycle_label(flow, event.workflow, event.instance or 0)
            rows.append(
                (
                    Text(str(event.seq), style=style),
                    Text("⚠", style="bold yellow") if flags else Text(""),
                    Text(entry.effective.display() if entry else event.effective, style=style),
                    Text(
                        recorded_time(event.recorded).rsplit(" ", 1)[0][: 10 if narrow else None],
                        style=style,
                    ),
                    Text(action_label(flow, event), style=style)
                    + Text(f"  ⚠ {flags}" if flags else "", style="bold yellow"),
                    Text(lifecycle, style=style),
                    Text(role_label(event.actor_role), style=style),
                )
            )
        self.set_rows(NARROW_COLUMNS if narrow else COLUMNS, rows, [str(e.seq) for e in events])
