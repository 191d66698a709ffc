"""A worklist page as a table: how urgent, which case, which force, what, and which record.

Urgency is drawn from the clock each time the rows are drawn (``urgency``), so a countdown
queue re-drawn every 30 seconds shows PACE time as it runs out (¶4.21).  "All cases" has no
urgency: its rows show when each case last changed, in UK time as every time on screen is (a
relative "1 min ago" read the same on every row of a database loaded at once).  Below ``NARROW``
columns times are written short ("4h24") and the next deadline's kind in fewer letters, so that
the column a queue is ordered by stays on screen, and ``what`` is cut to fit, rather than
pushed off the screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from casetracker.domain import clock
from casetracker.domain.queues import ALL_CASES, Queue, WorkItem
from casetracker.presenters.urgency import Level, Said
from casetracker.presenters.urgency import next_deadline as next_deadline_words
from casetracker.presenters.urgency import urgency as urgency_words
from tui.layout import NARROW
from tui.widgets.row_table import RowTable

# Tab labels for narrow screens, by queue name: the full titles of an immigration officer's six
# queues need 120 columns.
SHORT_TITLES = {
    "status_check": "Status checks",
    "offender_custody": "Custody",
    "custody": "Custody",
    "local_check": "Local checks",
    "joc": "JOC",
    "etd": "ETDs",
    "absconder": "Absconders",
    "removal": "Removals",
    "barrier": "Claims",
    "io_paperwork": "Papers/CID",
    "acro_awaited": "ACRO",
    "dva_requests": "DVA",
    "high_harm_team": "High Harm",
    "all": "All cases",
    "mine": "Mine",
}


def queue_title(queue: Queue, narrow: bool) -> str:
    return SHORT_TITLES.get(queue.name, queue.title) if narrow else queue.title


# How each level of urgency (``presenters.urgency.Level``) is drawn.
STYLES = {
    Level.NONE: "dim",
    Level.PLAIN: "",
    Level.AHEAD: "bold",
    Level.SOON: "bold yellow",
    Level.URGENT: "bold red",
    Level.EXPIRED: "bold white on red",
}


def _drawn(said: Said) -> Text:
    when = Text(said.text, style=STYLES[said.level])
    return Text.assemble(f"{said.lead} ", when) if said.lead else when


def urgency(item: WorkItem, countdown: bool, short: bool = False) -> Text:
    """Time left before a deadline, or how long the item has waited ("All cases": when it
    changed, the column's heading naming the zone)."""
    return _drawn(urgency_words(item, countdown, clock.now(), short, zone=False))


def next_deadline(item: WorkItem, short: bool = False) -> Text:
    """Which of the item's deadlines comes next and when: what a queue is ordered by (issue 16),
    which its first column need not show (a custody queue counts down the PACE clock while an
    IO's last shift may come first), named so that a caseworker knows which clock is running
    out ("IO before release in 40 min"; ``short``: "IO to see in 40m")."""
    return _drawn(next_deadline_words(item, clock.now(), short))


def label_text(label: str) -> Text:
    if label.startswith("HIGH HARM"):
        return Text.assemble(("HIGH HARM", "bold white on red"), label[len("HIGH HARM") :])
    return Text(label)


def item_text(item: WorkItem, countdown: bool) -> Text:
    """The label, after who holds the item (a long label is cut at its end, never the
    holder) and OVERDUE once a deadline of the item has passed (a countdown queue's first
    column already says EXPIRED)."""
    text = label_text(item.label)
    deadline = item.deadline_time
    if deadline is not None and deadline <= clock.now() and not countdown:
        text = Text.assemble(("OVERDUE", "bold white on red"), " ", text)
    if item.owner:
        text = Text.assemble((f"held by {item.owner}", "italic"), " · ", text)
    return text


class WorkTable(RowTable):
    """One row per work item, keyed ``case_id/item``."""

    DEFAULT_CSS = """
    WorkTable { height: 1fr; }
    """
    HELP = "j/k or ↑/↓ move · g/G first/last · enter opens the highlighted row"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("zebra_stripes", True)
        kwargs.setdefault("flex", {3: 16})  # "what"
        super().__init__(**kwargs)

    def show(
        self, queue: Queue, items: list[WorkItem], selected: frozenset[str] = frozenset()
    ) -> None:
        """Draw ``items``, keeping the cursor on the same row number (clamped); the rows
        whose key is in ``selected`` are marked for a bulk action."""
        narrow = 0 < self.app.size.width < NARROW
        when = "changed (UK)" if queue.name == ALL_CASES.name else queue.due_means
        labels = [when, "case", "force", "what", "next deadline"]
        rows = []
        for item in items:
            key = f"{item.case_id}/{item.item}"
            case = Text(item.case_id, style="bold")
            if selected:
                case = Text.assemble(("✓ " if key in selected else "  ", "bold green"), case)
            rows.append(
                [
                    urgency(item, queue.countdown, narrow),
                    case,
                    Text(item.force),
                    item_text(item, queue.countdown),
                    next_deadline(item, narrow),
                ]
            )
        self.set_rows(labels, rows, [f"{i.case_id}/{i.item}" for i in items])
        if items:
            self.move_cursor(row=self.cursor_row)
