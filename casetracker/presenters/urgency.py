"""How soon a work item falls due, in the words a worklist shows it, for the TUI's table and the
CLI's text alike.

A countdown queue's time is how long is left ("23 h 55 min", EXPIRED once gone); another
queue's is how long the item has waited ("2 h 05 min ago"); a deadline is "in 40 min" or
"passed 3 d ago"; "All cases" shows when each case last changed, in UK time.  An instant under
a "PACE left" heading (``2026-12-07T00:34:50Z``) had to be worked out, in UTC, by whoever read
it; ``--json`` keeps the instants.  Each wording comes with how pressing it is (``Level``),
which the TUI draws in colour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from casetracker.domain.queues import ALL_CASES, WorkItem
from casetracker.presenters.labels import deadline_label
from casetracker.presenters.text import recorded_time


class Level(Enum):
    """How pressing a time is, for a screen to draw it so."""

    NONE = "none"  # no time at all ("—")
    PLAIN = "plain"
    AHEAD = "ahead"  # a waiting item's time still to come
    SOON = "soon"  # a countdown under six hours
    URGENT = "urgent"  # under two hours, or a deadline passed
    EXPIRED = "expired"  # a countdown run out


class Said(NamedTuple):
    """A time in words and how pressing it is, after what it is the time of (``lead``: which
    clock runs out, drawn plain)."""

    text: str
    level: Level
    lead: str = ""

    @property
    def words(self) -> str:
        """The whole of it as one line says it: "extend PACE in 23 h 55 min"."""
        return f"{self.lead} {self.text}" if self.lead else self.text


NO_TIME = Said("—", Level.NONE)


def span(delta: timedelta, short: bool = False) -> str:
    """A length of time as a worklist shows it: "4 h 24 min", or ``short`` "4h24"."""
    seconds = int(delta.total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}{'m' if short else ' min'}"
    if seconds < 48 * 3600:
        hours, minutes = seconds // 3600, seconds % 3600 // 60
        return f"{hours}h{minutes:02d}" if short else f"{hours} h {minutes:02d} min"
    return f"{seconds // 86400}{'d' if short else ' d'}"


def urgency(
    item: WorkItem, countdown: bool, now: datetime, short: bool = False, zone: bool = True
) -> Said:
    """Time left before the item's due time (``countdown``), or how long it has waited; in
    "All cases", when the case last changed (in UK time, the zone named unless ``zone`` is
    False, for a column whose heading names it)."""
    if item.queue == ALL_CASES.name:
        if not item.due:
            return NO_TIME
        shown = recorded_time(item.due)
        return Said(shown if zone else shown.rsplit(" ", 1)[0], Level.PLAIN)
    due = item.due_time
    if due is None:
        return NO_TIME
    if countdown:
        left = due - now
        if left.total_seconds() <= 0:
            return Said("EXPIRED", Level.EXPIRED)
        if left < timedelta(hours=2):
            return Said(span(left, short), Level.URGENT)
        return Said(span(left, short), Level.SOON if left < timedelta(hours=6) else Level.PLAIN)
    if due > now:
        return Said(f"in {span(due - now, short)}", Level.AHEAD)
    return Said(f"{span(now - due, short)} ago", Level.PLAIN)


def deadline_words(kind: str, due: datetime | None, now: datetime, short: bool = False) -> Said:
    """A deadline of ``kind`` due at ``due``, named by the clock that runs out: "IO before
    release in 40 min", "PACE limit passed 3 d ago" (``short``: "IO to see in 40m")."""
    if due is None:
        return NO_TIME
    label = deadline_label(kind, short)
    left = due - now
    if left.total_seconds() <= 0:
        return Said(f"passed {span(-left, short)} ago", Level.URGENT, label)
    soon = left < timedelta(hours=2)
    return Said(f"in {span(left, short)}", Level.URGENT if soon else Level.PLAIN, label)


def next_deadline(item: WorkItem, now: datetime, short: bool = False) -> Said:
    """Which of the item's deadlines comes next and when: what a queue is ordered by."""
    return deadline_words(item.deadline_kind, item.deadline_time, now, short)
