"""The PACE clock of one encounter (fn 17).

Police may hold an arrested person for 24 hours from arrest before they must charge or release
them; a superintendent may approve a single 12-hour extension.  Bail pending enquiries suspends
the clock and re-arrest for the same offence restarts it where it stopped.  Charge or release
ends it.  Times come from the steps' effective times: when the arrest is known only to the day or
month, the clock runs from the earliest moment it could have started and says it is approximate,
so the deadline shown is never later than the true one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from casetracker.domain.case_view import Instance, Step
from casetracker.domain.effective_time import EffectiveTime

BASE_LIMIT = timedelta(hours=24)
EXTENSION = timedelta(hours=12)
STARTS = frozenset({"arrest", "arrest_for_immigration_offence"})
PAUSES = frozenset({"bail"})
RESUMES = frozenset({"rearrest"})
EXTENDS = "extend_detention"
ENDS = frozenset(
    {
        "charge",
        "take_no_further_action",
        "release_without_charge",
        "hand_to_immigration",
        "escape_custody",
    }
)
_CLOCK_ACTIONS = STARTS | PAUSES | RESUMES | ENDS | {EXTENDS}
_NONE = timedelta(0)  # made once: a case's rows read every clock of it on each fresh view


# One line of a clock's explanation: its words, and the time they end with (none, a step's
# effective time or a moment).
Note = tuple[str, EffectiveTime | datetime | None]


def _said(note: Note) -> str:
    words, when = note
    if isinstance(when, EffectiveTime):
        return f"{words}, {when.display()}"
    return words if when is None else f"{words} {when.isoformat()}"


@dataclass(frozen=True)
class ClockStatus:
    """Where the clock stands at ``now``.

    ``deadline`` is None unless the clock is running; ``remaining`` is what is left of the
    allowance (frozen while paused or ended, never negative); ``running`` is False before an
    arrest, while on bail and after charge or release.
    """

    deadline: datetime | None
    remaining: timedelta
    paused: bool
    extended: bool
    expired: bool
    approximate: bool
    running: bool = False
    notes: tuple[Note, ...] = field(default=(), repr=False)  # ``explanation``, unwritten
    expired_at: datetime | None = None  # when the allowance ran out, once it has

    @cached_property
    def explanation(self) -> tuple[str, ...]:
        """How the clock came to stand where it does, in words: written when asked, as the
        deadlines and worklists read every clock of a case on each action and never this."""
        return tuple(_said(note) for note in self.notes)


def pace_clock(instance: Instance, now: datetime) -> ClockStatus:
    """The PACE clock of an ``encounter`` instance as at ``now`` (timezone-aware)."""
    return clock_of(instance.history, now)


def clock_of(history: Sequence[Step], now: datetime) -> ClockStatus:
    """The PACE clock of an encounter whose steps so far are ``history``: also the clock as it
    stood before a given step (``casetracker.domain.deadlines.pace``), from a slice of the
    history, without a copy of the instance to hold it."""
    used = _NONE
    running_since: datetime | None = None
    paused = extended = started = False
    ran_out: datetime | None = None
    notes: list[Note] = []
    steps = [s for s in history if s.action in _CLOCK_ACTIONS]
    for step in steps:
        at = step.effective.start
        if step.action in STARTS:
            running_since, started = at, True
            notes.append(("started at arrest", step.effective))
        elif step.action == EXTENDS:
            extended = True
            notes.append(("extended by 12 hours on a superintendent's authority", None))
        elif step.action in RESUMES and paused:
            running_since, paused = at, False
            notes.append(("restarted on re-arrest", step.effective))
        elif running_since is not None and (step.action in PAUSES or step.action in ENDS):
            allowance = BASE_LIMIT + (EXTENSION if extended else _NONE)
            if ran_out is None and used + (at - running_since) > allowance:
                ran_out = running_since + (allowance - used)
            used += at - running_since
            running_since = None
            paused = step.action in PAUSES
            notes.append(("paused by bail" if paused else "ended", step.effective))
    approximate = any(not s.effective.is_exact for s in steps)
    if approximate:
        notes.append(
            (
                "some times are known only as a day, month or range: the deadline shown "
                "is the earliest it could be",
                None,
            )
        )
    limit = BASE_LIMIT + (EXTENSION if extended else _NONE)
    if not started:
        return ClockStatus(
            None, limit, False, False, False, False, False, (("no arrest recorded", None),)
        )
    if running_since is None:
        left = limit - used
        return ClockStatus(
            None,
            max(left, _NONE),
            paused,
            extended,
            left < _NONE,
            approximate,
            False,
            tuple(notes),
            ran_out if left < _NONE else None,
        )
    deadline = running_since + (limit - used)
    left = deadline - now
    if left <= _NONE:
        notes.append(("expired at", deadline))
    return ClockStatus(
        deadline,
        max(left, _NONE),
        False,
        extended,
        left <= _NONE,
        approximate,
        True,
        tuple(notes),
        deadline if left <= _NONE else None,
    )
