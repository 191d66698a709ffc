"""The event log as process-mining tools see it: cases of events, each event an activity at a
time, acting on one lifecycle instance (an object).  Shared by the exports
(``casetracker.services.process_export``) and the flow report (``casetracker.services.flow``).

What leaves casetracker this way is limited on purpose (issue 19; DPA 2018 s.62): no personal
data and no free text.  An event's fields are exported only when their values come from a closed
list (a choice, a yes/no, a whole number such as an encounter's number) and the definition marks
them neither personal nor free text, plus the force and custody suite, and those only when they
name a force or suite of the organisation file (a typed suite name could hold anything).  Actors
are pseudonyms unless the auditor asks for names with a reason.

Events are put in effective-time order within each case (the start of their effective period,
then the order they were recorded), because process-mining tools read a trace in that order; a
case's events are held together only while that case is written, so memory stays bounded by the
largest case, not by the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from casetracker.adapters.event_scan import event_rows
from casetracker.domain.effective_time import DEFAULT_ZONE, EffectiveTime, parse_canonical
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.organisation import Organisation
from casetracker.domain.vocabulary import ActionSpec, FieldType
from casetracker.integrity.encoding import stored_stamp, stored_step

EXPORTED_TYPES = frozenset(
    {FieldType.CHOICE, FieldType.CHOICES, FieldType.BOOLEAN, FieldType.INTEGER}
)
ORGANISATION_FIELDS = ("force", "custody_suite")  # exported only when the organisation names them
CASE_LIFECYCLE = "case"  # its one instance is the case itself: the object whose id is the case id


def exported_fields(action: ActionSpec) -> tuple[str, ...]:
    """The names of the action's fields that may leave casetracker (see the module's note)."""
    return tuple(
        f.name
        for f in action.fields
        if (f.type in EXPORTED_TYPES and not f.personal and not f.free_text)
        or f.name in ORGANISATION_FIELDS
    )


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One event as exported: its case, lifecycle instance, activity, actor and times."""

    case_id: str
    seq: int
    workflow: str
    version: int
    instance: int
    action: str
    activity: str  # the action's label
    state: str  # the state the action leads its instance to
    role: str
    actor: str  # a pseudonym unless names were asked for
    effective: EffectiveTime
    recorded: str
    attributes: tuple[tuple[str, Any], ...]  # the exportable fields recorded
    object_id: str
    related: tuple[tuple[str, str], ...]  # (object id, qualifier): the case, for another lifecycle
    linked: tuple[tuple[str, str], ...]  # objects its own instance refers to (a check's arrest)
    event_id: str  # ``C-0000001:7``: the case and the event's sequence number in it


def object_id(case_id: str, workflow: str, instance: int, many: bool) -> str:
    """``C-0000001`` for the case file, ``C-0000001/detention`` for a one-per-case lifecycle,
    ``C-0000001/encounter/2`` for the second arrest."""
    if workflow == CASE_LIFECYCLE:
        return case_id
    return f"{case_id}/{workflow}/{instance}" if many else f"{case_id}/{workflow}"


class Pseudonyms:
    """Actor names replaced by ``actor-`` and 10 hex digits of an HMAC under a key made for
    this export only: the same person reads the same throughout one file, and two files cannot
    be joined on it.  ``reveal`` keeps the names (the auditor asked and gave a reason)."""

    def __init__(self, reveal: bool = False, key: bytes | None = None) -> None:
        self.reveal = reveal
        # ``key``: the export's own, handed to the worker process writing half of it
        self.key = key if key is not None else secrets.token_bytes(32)
        self._seen: dict[str, str] = {}

    def __call__(self, user: str) -> str:
        if self.reveal:
            return user
        found = self._seen.get(user)
        if found is None:
            mac = hmac.new(self.key, user.encode(), hashlib.sha256).hexdigest()
            found = self._seen[user] = f"actor-{mac[:10]}"
        return found


@dataclass(frozen=True)
class Period:
    """Days ``first``..``last`` inclusive, UK local time: an event is in it when its effective
    period overlaps it, so an approximate date (a month, a range) is kept if it may fall in."""

    first: date | None = None
    last: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        low = high = None
        if self.first:
            low = datetime(self.first.year, self.first.month, self.first.day, tzinfo=DEFAULT_ZONE)
        if self.last:
            after = self.last + timedelta(days=1)
            high = datetime(after.year, after.month, after.day, tzinfo=DEFAULT_ZONE)
        return (low.astimezone(UTC) if low else None, high.astimezone(UTC) if high else None)


class Shaper:
    """Turns stored rows into ``LogEvent``s: labels, states and exportable fields looked up once
    per action, personal data and free text left behind."""

    def __init__(
        self,
        flow: WorkflowEngine,
        org: Organisation | None,
        pseudonyms: Pseudonyms,
        names: tuple[frozenset[str], frozenset[str]] | None = None,
    ) -> None:
        """``names``: the forces and suites to export, instead of ``org``'s (a worker process
        is handed the names, not the organisation)."""
        self.flow = flow
        self.pseudonyms = pseudonyms
        if names is None:
            assert org is not None
            names = (
                frozenset(f.code for f in org.forces),
                frozenset(s.name for f in org.forces for s in f.suites),
            )
        self.forces, self.suites = names
        self._actions: dict[tuple[str, int, str], tuple[str, str, tuple[str, ...], bool]] = {}

    def action(self, workflow: str, version: int, action: str) -> tuple[str, str, tuple, bool]:
        """(label, state it leads to, exportable field names, many-instance lifecycle)."""
        key = (workflow, version, action)
        found = self._actions.get(key)
        if found is None:
            spec = self.flow.spec(workflow, version)
            act = spec.action(action)
            if act is None:  # recorded under a version that no longer has it: keep its name
                found = (action, "", (), spec.many)
            else:
                found = (act.label, act.dest, exported_fields(act), spec.many)
            self._actions[key] = found
        return found

    def event(self, row: tuple) -> LogEvent:
        case_id, seq, step, stamp, payload = row
        _, workflow, version, instance, action = stored_step(step)
        user, role, effective, recorded = stored_stamp(stamp)
        label, state, names, many = self.action(workflow, version, action)
        attributes: list[tuple[str, Any]] = []
        linked: list[tuple[str, str]] = []
        if names:
            fields = json.loads(payload).get("fields", {})
            for name in names:
                value = fields.get(name)
                if value is None or not self._allowed(name, value):
                    continue
                attributes.append((name, ",".join(value) if isinstance(value, list) else value))
                if name == "encounter" and workflow != "encounter" and isinstance(value, int):
                    linked.append((object_id(case_id, "encounter", value, True), "encounter"))
        own = object_id(case_id, workflow, instance, many)
        related = () if workflow == CASE_LIFECYCLE else ((case_id, "case"),)
        return LogEvent(
            case_id, seq, workflow, version, instance, action, label, state, role,
            self.pseudonyms(user), effective_of(effective), recorded, tuple(attributes), own,
            related, tuple(linked), f"{case_id}:{seq}",
        )  # fmt: skip

    def _allowed(self, name: str, value: Any) -> bool:
        if name == "force":
            return value in self.forces
        if name == "custody_suite":
            return value in self.suites
        return isinstance(value, bool | int | str | list)


_SECOND = timedelta(seconds=1)


def effective_of(text: str) -> EffectiveTime:
    """``parse_canonical``, with a short cut for an instant (``2015-03-04T12:00:00Z``), the
    form of nearly every event: its cache holds a few thousand texts, a year has millions."""
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":
        moment = datetime.fromisoformat(text)
        return EffectiveTime(text, moment, moment + _SECOND)
    return parse_canonical(text)


def cases(
    conn: Connection,
    shaper: Shaper,
    case_ids: Iterable[str] | None = None,
    period: Period = Period(),
) -> Iterator[list[LogEvent]]:
    """Each case's events in effective-time order, one case at a time (``case_ids``: only
    those; ``period``: only events whose effective period overlaps it)."""
    return shaped(event_rows(conn, case_ids), shaper, period)


def shaped(
    rows: Iterable[tuple], shaper: Shaper, period: Period = Period()
) -> Iterator[list[LogEvent]]:
    """``cases`` over rows already read (``case_id, seq, step, stamp, payload`` in case and
    sequence order): what a worker process writing half the export runs on its own rows."""
    low, high = period.bounds()
    current: list[LogEvent] = []
    for row in rows:
        event = shaper.event(row)
        if (low and event.effective.end <= low) or (high and event.effective.start >= high):
            continue
        if current and event.case_id != current[0].case_id:
            yield in_effective_order(current)
            current = []
        current.append(event)
    if current:
        yield in_effective_order(current)


def in_effective_order(events: list[LogEvent]) -> list[LogEvent]:
    """By the start of the effective period, then as recorded (a stable sort keeps ``seq``)."""
    return sorted(events, key=lambda e: e.effective.start)
