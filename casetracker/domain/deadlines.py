"""Deadlines as data: each one a case's events give, and whether the system has seen it pass.

Every deadline is derived from the recorded events and nothing else (pure, like the guards):
the PACE clock's expiry and the point to ask a superintendent for an extension (fn 17), the
return date of police bail, the first reporting date of reporting directions (¶3.2, ¶4.27), the
review a missed report calls for before an absconder listing (Figure 1), the IO's last shift
before a likely release (¶4.21-4.23), a chase of an ETD application (Figure 2) and the date of
removal directions (Figure 1).  A deadline is *met* when the step that discharges it is
effective before it falls due; otherwise it passes, and ``casetracker tick`` records it once as
a ``deadline_passed`` event of the ``work`` lifecycle, by the user ``system``, effective at the
deadline and recorded when the system noticed.  One met late (a release recorded after the clock
ran out, with no tick run in between) still passed: a missed tick run is caught up, once.  But
it is no longer work to do: ``to_do`` leaves it out, so a worklist orders an item by what is
still to be done, while the breach stays outstanding until a tick records it, and in the log
(what auditors and MI read) after.

The report gives only the PACE limits (fn 17); every other interval below is an assumption,
each a row of docs/assumptions.md.  A later kind of deadline (a four-eyes proposal that lapses)
is one more function in ``RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from casetracker.domain import four_eyes
from casetracker.domain.case_view import CaseView, Instance, Step
from casetracker.domain.effective_time import DEFAULT_ZONE
from casetracker.domain.organisation import Organisation, Suite
from casetracker.domain.rules.custody_clock import ENDS, EXTENDS, PAUSES, clock_of, pace_clock
from casetracker.domain.rules.field_values import as_date, as_text

PASSED_ACTION = "deadline_passed"
WORK = "work"  # the lifecycle that holds owners and passed deadlines (workflows/work.py)

# Assumptions (docs/assumptions.md): the report gives none of these intervals.
EXTENSION_NOTICE = timedelta(hours=2)  # ask for the 12-hour extension this long before expiry
ABSCONDER_REVIEW = timedelta(days=14)  # Figure 1: stopped reporting 18 Apr, listed 1 May 2014
ETD_CHASE = timedelta(days=14)  # Figure 2: applied 26 Jun 2015, issued 3 Jul 2015

# Status-check states that make the arrested person an immigration offender to be seen by an IO.
OFFENDER_STATES = frozenset(
    {
        "immigration_offender",
        "known_absconder",
        "referred_to_joc",
        "passed_to_io",
        "referred_to_ice_team",
        "taken_up_locally",
        "referred_to_high_harm_team",
    }
)
_STOPS_CLOCK = ENDS | PAUSES


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)  # deadlines do not depend on when they are read


def utc_text(moment: datetime) -> str:
    """The sortable UTC text deadlines are stored and compared in (``%Y-%m-%dT%H:%M:%SZ``,
    written out: ``strftime`` was a third of deriving a case's deadlines, on every action)."""
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


@dataclass(frozen=True)
class Deadline:
    """One deadline of one lifecycle instance (``item``) of a case."""

    kind: str
    item: str
    due: datetime  # timezone-aware
    label: str
    met: datetime | None = None  # when the step that discharged it came, too late; else None

    @cached_property
    def due_text(self) -> str:
        return utc_text(self.due)

    @cached_property
    def key(self) -> str:
        """Names this deadline for ever: the same kind, item and moment is the same deadline."""
        return f"{self.kind}@{self.item}@{self.due_text}"


Rule = Callable[[CaseView, Organisation], Iterable[Deadline]]


def _after(instance: Instance, step: Step, actions: frozenset[str] | None = None) -> Step | None:
    """The first step of ``instance`` after ``step`` (of ``actions``, when given)."""
    later = False
    for other in instance.history:
        if later and (actions is None or other.action in actions):
            return other
        later = later or other is step
    return None


def _last_of(instance: Instance, actions: frozenset[str]) -> Step | None:
    return next((s for s in reversed(instance.history) if s.action in actions), None)


def _unless_met(deadline: Deadline, discharge: Step | None) -> list[Deadline]:
    """The deadline, unless the step that discharges it was effective before it fell due; one
    discharged late carries when (``met``)."""
    if discharge is None:
        return [deadline]
    if discharge.effective.start <= deadline.due:
        return []
    return [replace(deadline, met=discharge.effective.start)]


def _day_end(day: date) -> datetime:
    """The end of a calendar day in UK local time: a date is met any time that day."""
    return datetime.combine(day + timedelta(days=1), time(0), DEFAULT_ZONE)


def pace(view: CaseView, org: Organisation) -> Iterable[Deadline]:
    """The PACE clock's expiry and, before an extension, the point to ask for one (fn 17)."""
    for encounter in view.of("encounter"):
        status = pace_clock(encounter, _END_OF_TIME)
        where = f"encounter #{encounter.number}"
        if status.running and status.deadline is not None:
            yield Deadline("pace_expiry", encounter.key, status.deadline, f"{where}: PACE expires")
        elif status.expired_at is not None:  # stopped after it ran out: it passed all the same
            expired = Deadline(
                "pace_expiry", encounter.key, status.expired_at, f"{where}: PACE expired"
            )
            yield from _unless_met(expired, _last_of(encounter, _STOPS_CLOCK))
        # The point to ask passes unless an extension, or the clock stopping, came first; the
        # clock is read as it stood just before whichever came last.
        extension = encounter.last(EXTENDS)
        stopped = None if status.running else _last_of(encounter, _STOPS_CLOCK)
        settled = extension or stopped
        if settled is None:
            base = status
        else:
            before = encounter.history[: encounter.history.index(settled)]
            base = clock_of(before, _END_OF_TIME)
        if base.running and base.deadline is not None:
            label = f"{where}: ask a superintendent to extend detention"
            ask = Deadline("pace_extension", encounter.key, base.deadline - EXTENSION_NOTICE, label)
            yield from _unless_met(ask, settled)


def bail_return(view: CaseView, org: Organisation) -> Iterable[Deadline]:
    """The day police bail ends: re-arrest or no further action by then."""
    for encounter in view.of("encounter"):
        bailed = encounter.last("bail")
        until = as_text(bailed.fields.get("bail_until")) if bailed else ""
        if bailed is None or not until:
            continue
        try:
            due = datetime.fromisoformat(until)
        except ValueError:
            continue
        if due.tzinfo is None:
            due = due.replace(tzinfo=DEFAULT_ZONE)
        label = f"encounter #{encounter.number}: bail ends"
        yield from _unless_met(
            Deadline("bail_return", encounter.key, due, label),
            _after(encounter, bailed, frozenset({"rearrest", "take_no_further_action"})),
        )


def reporting(view: CaseView, org: Organisation) -> Iterable[Deadline]:
    """The first reporting date of the latest directions, and the review a missed report calls
    for before an absconder listing (Figure 1)."""
    instance = view.one("reporting")
    if instance is None:
        return
    issued = instance.last("issue_reporting_directions")
    first = as_date(issued.fields.get("first_report_on")) if issued else None
    if issued is not None and first is not None:
        yield from _unless_met(
            Deadline("first_report", instance.key, _day_end(first), f"first report due {first}"),
            _after(instance, issued),
        )
    missed = instance.last("record_missed_reporting")
    if missed is not None:
        yield from _unless_met(
            Deadline(
                "absconder_review",
                instance.key,
                missed.effective.start + ABSCONDER_REVIEW,
                "missed reporting: review for an absconder listing",
            ),
            _after(instance, missed),
        )


def etd_chase(view: CaseView, org: Organisation) -> Iterable[Deadline]:
    """Chase an ETD application the High Commission has not answered (Figure 2)."""
    etd = view.one("etd")
    applied = etd.last("apply_for_etd") if etd else None
    if etd is None or applied is None:
        return
    yield from _unless_met(
        Deadline("etd_chase", etd.key, applied.effective.start + ETD_CHASE, "ETD: chase"),
        _after(etd, applied),
    )


def removal_date(view: CaseView, org: Organisation) -> Iterable[Deadline]:
    """The day removal directions are set for: removed, deferred or frustrated by its end."""
    removal = view.one("removal")
    directions = removal.last("set_removal_directions") if removal else None
    day = as_date(directions.fields.get("removal_date")) if directions else None
    if removal is None or directions is None or day is None:
        return
    yield from _unless_met(
        Deadline("removal_date", removal.key, _day_end(day), f"removal directions for {day}"),
        _after(removal, directions),
    )


def io_before_release(view: CaseView, org: Organisation) -> Iterable[Deadline]:
    """An immigration offender in police custody not yet seen by an IO: the end of the IO's last
    shift before the PACE clock runs out, after which they are likely released unseen
    (¶4.21-4.23)."""
    offenders = {
        as_text(check.fields.get("encounter"))
        for check in view.of("status_check")
        if check.state in OFFENDER_STATES
    }
    for encounter in view.of("encounter"):
        if str(encounter.number) not in offenders:
            continue
        status = pace_clock(encounter, _END_OF_TIME)
        force = org.force(as_text(encounter.fields.get("force")))
        suite = force.suite(as_text(encounter.fields.get("custody_suite"))) if force else None
        if not status.running or status.deadline is None or suite is None:
            continue
        due = last_cover_before(suite, status.deadline)
        if due is None:
            continue
        label = f"encounter #{encounter.number}: IO to see them before a likely release"
        arrest = encounter.started
        seen = _after(encounter, arrest, frozenset({"record_seen_by_io"})) if arrest else None
        yield from _unless_met(Deadline("io_before_release", encounter.key, due, label), seen)


def last_cover_before(suite: Suite, moment: datetime) -> datetime | None:
    """The last moment at or before ``moment`` when an IO is on shift at ``suite`` (None: the
    suite has no IO shifts)."""
    if not suite.io_shifts:
        return None
    if suite.in_io_hours(moment):
        return moment
    local = moment.astimezone(DEFAULT_ZONE)
    ends = [
        datetime.combine(local.date() - timedelta(days=back), shift.end, DEFAULT_ZONE)
        for shift in suite.io_shifts
        for back in range(3)
    ]
    return max((end for end in ends if end <= moment), default=None)


def proposal_lapse(view: CaseView, org: Organisation) -> Iterable[Deadline]:
    """A four-eyes proposal nobody decided in time lapses (casetracker.domain.four_eyes)."""
    for found, due in four_eyes.lapse_deadlines(view):
        label = f"proposal #{found.number} ({found.action}) lapses unless authorised"
        yield Deadline(four_eyes.LAPSE_KIND, found.key, due, label)


# Each rule with the lifecycle its deadlines are of (every ``Deadline.item`` it gives is an
# instance of it): a case with no instance of that lifecycle has none of the rule's deadlines,
# so ``outstanding`` does not ask the rule (most cases have few lifecycles).
RULES: tuple[tuple[str, Rule], ...] = (
    ("encounter", pace),
    ("encounter", bail_return),
    ("reporting", reporting),
    ("etd", etd_chase),
    ("removal", removal_date),
    ("encounter", io_before_release),
    (four_eyes.WORKFLOW, proposal_lapse),
)
_ENDED = frozenset({"closed", "erased"})


def recorded(view: CaseView) -> set[str]:
    """The keys of the deadlines already recorded as passed on this case."""
    work = view.one(WORK)
    if work is None:
        return set()
    return {as_text(s.fields.get("deadline")) for s in work.history if s.action == PASSED_ACTION}


def outstanding(view: CaseView, org: Organisation) -> list[Deadline]:
    """Every deadline of the case not met in time, passed or not, soonest first (a worklist
    puts an overdue item first); none once the case is closed or erased (its work is over).

    The rules read, of the case's own record, its state alone, and not the clock: the answer
    is a function of that state, the case's other records and the organisation file.  So it
    is kept on the view (``view.derived``) with those, and given again while they are as they
    were: each action asks twice (the worklist's rows and the deadlines'), and most actions
    (a note) add a step to the case's own record only."""
    opened = view.one(CASE)
    basis = (opened.state if opened is not None else None, org, view.records_besides(CASE))
    kept = view.derived.get(_DERIVED)
    if kept is not None and kept[0] == basis:
        return list(kept[1])
    if opened is not None and opened.state in _ENDED:
        found: list[Deadline] = []
    else:
        present = view.lifecycles()
        unique = {
            d.key: d for lifecycle, rule in RULES if lifecycle in present for d in rule(view, org)
        }
        found = sorted(unique.values(), key=lambda d: (d.due, d.kind, d.item))
    view.derived[_DERIVED] = (basis, found)
    return list(found)


CASE = "case"  # the case's own record (workflows/case_file.py): one a case, under this key
_DERIVED = "outstanding_deadlines"


def to_do(view: CaseView, org: Organisation) -> list[Deadline]:
    """The outstanding deadlines nothing has discharged yet, soonest first: the work a
    worklist orders its items by.  One discharged late (a PACE extension asked for after the
    point to ask) is left out: it is a breach to record (``pending``), not work to do."""
    return [d for d in outstanding(view, org) if d.met is None]


def pending(view: CaseView, org: Organisation) -> list[Deadline]:
    """The outstanding deadlines not yet recorded as passed: what a tick has still to record."""
    done = recorded(view)
    return [d for d in outstanding(view, org) if d.key not in done]


def due_by(view: CaseView, org: Organisation, now: datetime) -> list[Deadline]:
    """The pending deadlines that have fallen due by ``now``: what a tick records."""
    return [d for d in pending(view, org) if d.due <= now]
