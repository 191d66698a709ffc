"""Two kinds of time on one case: the timeline an auditor reads, and the figures derived from it.

Events are kept in the order they were recorded; the timeline shows them in the order they
happened (effective time), and flags the entries an auditor must look at twice:

* **out of sequence** — the fewest entries whose removal leaves the rest in effective order
  (``effective_time.out_of_sequence``), so Figure 1's human-rights claim, listed among the
  entries of May 2014 but dated 11 May 2016, is flagged and the entries after it are not;
* **backdated** — recorded more than ``BACKDATED_AFTER`` after the end of the period it happened
  in (a release keyed in days later, ¶4.21–4.22 and ¶4.27 describe records updated afterwards).

Both times are shown with every flag.  Derived figures answer the questions the report asks of a
case: how long in each state, how long an ETD took (Figure 2: seven days), how long detained, how
many absconder listings (Figure 1: two), how many releases before an IO saw the person (¶4.21).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from casetracker.domain.case_view import CaseView, instance_key
from casetracker.domain.clock import parse_recorded
from casetracker.domain.effective_time import EffectiveTime, out_of_sequence, parse_canonical
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.events import RecordedEvent
from casetracker.domain.organisation import Organisation
from casetracker.domain.rules.absconder import absconder_listings
from casetracker.domain.rules.io_coverage import io_coverage
from casetracker.presenters.text import local_time

BACKDATED_AFTER = timedelta(hours=24)
TIMED_LIFECYCLES = ("detention", "reporting", "removal", "etd", "leave")
FORK_MARK = "training fork of "
FORKED_FROM, AT_EVENT = "forked_from", "at_event"  # a fork's provenance: which case, which event


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    action: str
    lifecycle: str
    actor_role: str
    effective: EffectiveTime
    recorded: datetime
    out_of_sequence: bool = False
    backdated: bool = False
    copied: bool = False  # copied into a training fork from the case it was forked from
    note: str = ""

    @property
    def flags(self) -> list[str]:
        return [
            name
            for name, on in (
                ("out_of_sequence", self.out_of_sequence),
                ("backdated", self.backdated),
                ("copied", self.copied),
            )
            if on
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "action": self.action,
            "lifecycle": self.lifecycle,
            "actor_role": self.actor_role,
            "effective": self.effective.text,
            "effective_display": self.effective.display(),
            "precision": self.effective.precision,
            "recorded": _utc(self.recorded),
            "flags": self.flags,
            "note": self.note,
        }


def forked_from(events: Sequence[RecordedEvent]) -> tuple[str, int] | None:
    """``(case, event)`` when the case is a training fork, from its opening event: its
    provenance, or in a fork made before migration 0007 its justification (kept in the payload
    then; since, the justification is erasable free text and the provenance says it)."""
    if not events:
        return None
    data = events[0].data
    source = data.get("provenance")
    if isinstance(source, dict) and FORKED_FROM in source:
        number = source.get(AT_EVENT)
        return (str(source[FORKED_FROM]), number) if type(number) is int else None
    text = str(data.get("justification", ""))
    if not text.startswith(FORK_MARK):
        return None
    case_id, _, rest = text[len(FORK_MARK) :].partition(" at event ")
    number = rest.split(":", 1)[0].strip()
    return (case_id, int(number)) if number.isdecimal() else None


def build_timeline(events: Sequence[RecordedEvent]) -> list[TimelineEntry]:
    """Entries in effective-time order (ties keep the recorded order), each with its flags."""
    times = [parse_canonical(e.effective) for e in events]
    flagged = out_of_sequence(times)
    fork = forked_from(events)
    copies = fork[1] if fork else 0  # a fork's events 1..N are its source's, copied
    entries = []
    for i, (event, when) in enumerate(zip(events, times, strict=True)):
        recorded = parse_recorded(event.recorded)
        copied = i < copies
        late = recorded - when.end
        backdated = late > BACKDATED_AFTER and not copied
        notes = []
        if i in flagged:
            notes.append(_sequence_note(i, times))
        if backdated:
            notes.append(f"recorded {_days(late)} after it happened")
        if copied and fork:
            notes.append(f"copied from {fork[0]} event {i + 1} when the fork was made")
        entries.append(
            TimelineEntry(
                seq=event.seq,
                action=event.action,
                lifecycle=instance_key(event.workflow, event.instance),
                actor_role=event.actor_role,
                effective=when,
                recorded=recorded,
                out_of_sequence=i in flagged,
                backdated=backdated,
                copied=copied,
                note="; ".join(notes),
            )
        )
    return sorted(entries, key=lambda e: (*e.effective.sort_key(), e.seq))


def _sequence_note(i: int, times: list[EffectiveTime]) -> str:
    before = times[i - 1].display() if i else "the start"
    after = times[i + 1].display() if i + 1 < len(times) else "the end"
    return f"dated {times[i].display()} but recorded between entries of {before} and {after}"


def _days(delta: timedelta) -> str:
    if delta >= timedelta(days=2):
        return f"{delta.days} days"
    return f"{int(delta.total_seconds() // 3600)} hours"


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Figures:
    """Figures derived from a case as at one moment (nothing here is recorded twice)."""

    as_at: datetime
    arrests: int
    absconder_listings: int
    out_of_sequence: int
    backdated: int
    etd_turnaround_days: int | None
    days_detained: int
    frustrated_removals: int
    released_before_seen_by_io: int
    referrals: int
    time_in_state: dict[str, dict[str, int]] = field(default_factory=dict)
    approximate: bool = False

    def get(self, name: str) -> Any:
        return getattr(self, name)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["as_at"] = _utc(self.as_at)
        return out


def derive_figures(
    view: CaseView,
    events: Sequence[RecordedEvent],
    as_at: datetime,
    flow: WorkflowEngine,
    org: Organisation,
) -> Figures:
    """The case's figures as at ``as_at`` (states still open are counted up to it), the states
    named by ``flow``'s definitions (the caller's: presenters do not load them).

    Durations use the earliest moment each effective time allows, and say so (``approximate``)
    when any of them is a day, month or range rather than an instant.
    """
    timeline = build_timeline(events)
    in_state, approximate = _time_in_state(view, as_at, flow)
    encounters = view.of("encounter")
    return Figures(
        as_at=as_at,
        arrests=len(encounters),
        absconder_listings=len(absconder_listings(view)),
        out_of_sequence=sum(e.out_of_sequence for e in timeline),
        backdated=sum(e.backdated for e in timeline),
        etd_turnaround_days=_etd_turnaround(view),
        days_detained=in_state.get("detention", {}).get("immigration_detention", 0),
        frustrated_removals=_count(view, "removal", "record_frustrated_removal"),
        released_before_seen_by_io=sum(
            io_coverage(e, org).released_before_seen for e in encounters
        ),
        referrals=len(view.of("status_check")),
        time_in_state=in_state,
        approximate=approximate,
    )


def _count(view: CaseView, lifecycle: str, action: str) -> int:
    found = view.one(lifecycle)
    return sum(s.action == action for s in found.history) if found else 0


def _etd_turnaround(view: CaseView) -> int | None:
    """Days from the last ETD application to the High Commission's answer (Figure 2: 7)."""
    etd = view.one("etd")
    applied = etd.last("apply_for_etd") if etd else None
    if etd is None or applied is None:
        return None
    answers = [
        s
        for s in etd.history
        if s.action in {"record_etd_issued", "record_etd_refused"} and s.seq > applied.seq
    ]
    if not answers:
        return None
    return (answers[0].effective.start - applied.effective.start).days


def _time_in_state(
    view: CaseView, as_at: datetime, flow: WorkflowEngine
) -> tuple[dict[str, dict[str, int]], bool]:
    """Whole days spent in each state of the single-record lifecycles, up to ``as_at``.

    The state a lifecycle starts in is not timed: the record does not say since when.
    """
    out: dict[str, dict[str, int]] = {}
    approximate = False
    for name in TIMED_LIFECYCLES:
        instance = view.one(name)
        if instance is None or not instance.history:
            continue
        steps = sorted(
            (s for s in instance.history if s.effective.start <= as_at),
            key=lambda s: s.effective.sort_key(),
        )
        approximate = approximate or any(not s.effective.is_exact for s in steps)
        spent: dict[str, timedelta] = {}
        state_of = {s.seq: _dest(flow, view, name, s.action) for s in steps}
        for step, nxt in zip(steps, [*steps[1:], None], strict=True):
            until = nxt.effective.start if nxt is not None else as_at
            state = state_of[step.seq]
            length = max(until - step.effective.start, timedelta(0))
            spent[state] = spent.get(state, timedelta(0)) + length
        out[name] = {state: delta.days for state, delta in spent.items()}
    return out, approximate


def _dest(flow: WorkflowEngine, view: CaseView, lifecycle: str, action: str) -> str:
    instance = view.one(lifecycle)
    version = instance.version if instance else 1
    spec = flow.spec(lifecycle, version).action(action)
    return spec.dest if spec else action


def story_end(events: Sequence[RecordedEvent]) -> datetime:
    """The end of the latest effective time on the case: where a training story stops."""
    return max(parse_canonical(e.effective).end for e in events)


def figures_as_at(realm: str, events: Sequence[RecordedEvent], now: datetime) -> datetime:
    """When open states stop counting by default: today on live records; in a training or demo
    database, the end of the story (today's date would make a 2016 case study ten years long)."""
    return now if realm == "live" or not events else story_end(events)


def timeline_lines(entries: Sequence[TimelineEntry]) -> list[str]:
    """Plain-text timeline: effective time first, the recorded time beside every flag, both
    in UK local time (a UTC recorded time beside a local day made records seem early)."""
    lines = []
    for e in entries:
        mark = "!" if e.out_of_sequence or e.backdated else " "
        lines.append(
            f"{mark} {e.effective.display():<36} {e.action:<32} {e.lifecycle:<16} "
            f"event {e.seq:<4} ({e.actor_role})"
        )
        if e.flags:
            lines.append(
                f"    {', '.join(e.flags).replace('_', ' ').upper()}: {e.note}; "
                f"effective {e.effective.display()}, recorded {local_time(e.recorded, True)}"
            )
    return lines


def figures_lines(figures: Figures) -> list[str]:
    approx = " (approximate: some times are a day, month or range)" if figures.approximate else ""
    lines = [
        f"figures as at {local_time(figures.as_at)}{approx}:",
        f"  arrests {figures.arrests} · referrals {figures.referrals} · absconder listings "
        f"{figures.absconder_listings} · days in immigration detention {figures.days_detained}",
        f"  ETD turnaround {_or_none(figures.etd_turnaround_days, 'days')} · frustrated removals "
        f"{figures.frustrated_removals} · released before an IO saw them "
        f"{figures.released_before_seen_by_io}",
        f"  out of sequence {figures.out_of_sequence} · backdated {figures.backdated}",
    ]
    for lifecycle, states in figures.time_in_state.items():
        spent = ", ".join(f"{state.replace('_', ' ')} {days} d" for state, days in states.items())
        lines.append(f"  time in state, {lifecycle}: {spent}")
    return lines


def _or_none(value: int | None, unit: str) -> str:
    return "none yet" if value is None else f"{value} {unit}"


def replay_figures(
    view: CaseView,
    events: Sequence[RecordedEvent],
    flow: WorkflowEngine,
    realm: str,
    as_of: str | None,
    recorded_as_of: str | None,
    org: Organisation,
) -> Figures:
    """Figures for ``replay``: as at the effective date asked for, else the recorded moment,
    else the default of ``figures_as_at``."""
    from casetracker.domain import clock
    from casetracker.domain.effective_time import parse

    now = clock.now()
    if as_of:
        as_at = parse(as_of, now, allow_future=True).end
    elif recorded_as_of:
        as_at = parse(recorded_as_of, now).end
    else:
        as_at = figures_as_at(realm, events, now)
    return derive_figures(view, events, as_at, flow, org)
