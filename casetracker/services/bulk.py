"""Opening many cases at once through the engine: the one path shared by ``synth`` and ``import``.

Each case's steps are checked as ``Casetracker.act`` checks one action - fields validated against
the definition, state, role and every guard checked on the case as folded so far, the transition
fired on the definition's machine, the recorded event folded back (strictly: its source state must
hold) - but without a transaction per event:
the whole batch is then written by ``EventStore.bulk_open_cases`` (same encoding and chaining
as ``append``) inside one write transaction, with the subjects' personal data and the rows of
every read model (report tables and worklist), as ``act`` would have written them.
Personal fields never reach the log: like ``act``, the payload carries HMAC digests under the
subject's own random salt (``casetracker.integrity.personal_digests``), and the values go to the
subject record.
"""

from __future__ import annotations

import marshal
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from casetracker.adapters import (
    deadlines,
    flow_model,
    kept_rows,
    mi_model,
    read_models,
    subjects,
    worklist,
)
from casetracker.adapters.deadlines import DueRow
from casetracker.adapters.store import EventStore
from casetracker.domain import clock
from casetracker.domain.case_view import Attempt, Block, CaseView, Step
from casetracker.domain.effective_time import EffectiveTime
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.errors import CasetrackerError, UsageError
from casetracker.domain.events import NewEvent, event_payload, split_personal
from casetracker.domain.fields import validate_fields
from casetracker.domain.organisation import Organisation
from casetracker.domain.queues import WorkItem
from casetracker.domain.vocabulary import ActionSpec
from casetracker.integrity import personal_digests

OPEN_ACTION = "open_case"
_REFUSED_IN_BULK = frozenset({"erase_subject"})


class BulkStep(NamedTuple):
    """One action to take on a new case.

    ``instance``: 0 for a one-per-case lifecycle, None to start a new instance of a
    many-instance one (an arrest, a referral), n to act on the n-th instance.  A named tuple,
    not a frozen dataclass: ``synth`` builds over a million, at a third of the cost each.
    """

    workflow: str
    instance: int | None
    action: str
    fields: dict[str, Any]
    effective: EffectiveTime
    user: str
    role: str
    idempotency_key: str | None = None


class StepRefused(CasetrackerError):
    """A step cannot be taken; ``step`` is its index in the case (0-based), ``field`` the input
    at fault when one is (so an importer can name the line and the column)."""

    def __init__(self, step: int, action: str, message: str, field: str = "", usage: bool = False):
        super().__init__(f"{action}: {message}")
        self.step, self.action, self.field, self.message = step, action, field, message
        self.exit_code = 2 if usage else 1
        self._args = (step, action, message, field, usage)

    def __reduce__(self) -> tuple:
        """Picklable, so a worker process can report which step it refused."""
        return (StepRefused, self._args)


@dataclass
class PreparedCase:
    """A case checked step by step and ready to write: its events, the subject's personal data,
    and its management-information rows (case id left blank until the store allocates one).

    Plain data, so a worker process can prepare cases while the main process writes.
    """

    events: list[NewEvent]
    personal: dict[str, Any] = field(default_factory=dict)
    salt: str = ""
    rows: mi_model.MiRows = field(default_factory=mi_model.MiRows)
    work: list[WorkItem] = field(default_factory=list)  # worklist rows, case id blank
    due: list[DueRow] = field(default_factory=list)  # pending deadlines, case id blank
    flow: list[tuple] = field(default_factory=list)  # process map rows (flow_model), id blank


class BulkValidator:
    """Checks a case's steps through the engine; holds nothing between cases but the engine."""

    def __init__(
        self,
        flow: WorkflowEngine,
        realm: str,
        now: datetime | None = None,
        org: Organisation | None = None,
        queues: bool = True,
    ) -> None:
        self.flow = flow
        self.org = org  # the report tables' organisation (None: the configured one)
        # queues=False: a what-if run, whose cases are only counted, never written: no
        # worklist, deadline or flow rows, and no payloads or personal-data digests (every
        # step is still checked through the engine and its fields validated as for synth)
        self.queues = queues
        self.realm = realm
        self.now = now or clock.now()
        self.recorded = clock.format_recorded(self.now)
        self._actions: dict[tuple[str, int, str], tuple[ActionSpec | None, bool]] = {}

    def prepare(self, steps: Sequence[BulkStep]) -> PreparedCase:
        """Validate every step of one new case, in order; ``StepRefused`` on the first failure."""
        flow, now = self.flow, self.now
        view = CaseView("")
        written = self.queues
        salt = secrets.token_hex(32) if written else ""
        personal: dict[str, Any] = {}
        events: list[NewEvent] = []
        for index, step in enumerate(steps):
            action = step.action
            if (index == 0) != (action == OPEN_ACTION) or action in _REFUSED_IN_BULK:
                raise StepRefused(index, action, "a new case starts with open_case, once")
            workflow = flow.action_owner.get(action)
            if workflow is None or workflow != step.workflow:
                raise StepRefused(index, action, f"not an action of {step.workflow}", usage=True)
            number = self._instance(view, step, index)
            version = flow.version_for(view, workflow, number)
            spec, has_personal = self._action(workflow, version, action)
            if spec is None:  # the instance runs under a version without this action
                raise StepRefused(index, action, f"not an action of {workflow} v{version}")
            try:
                values = validate_fields(spec, step.fields)
            except UsageError as exc:
                raise StepRefused(
                    index, action, str(exc), _field_named(str(exc), spec), usage=True
                ) from None
            attempt = Attempt(workflow, number, action, values, step.effective, step.role, now)
            blocks = flow.check(view, attempt)
            if blocks:
                raise StepRefused(
                    index, action, "; ".join(map(str, blocks)), _field_of(blocks, step)
                )
            flow.fire(view, attempt)
            payload: dict[str, Any] = {}  # unwritten: none
            if has_personal:  # split even unwritten: the view holds what the log would
                values, secret = split_personal(spec, values, index + 1)
                if written:
                    personal.update(secret)
                    payload = event_payload(spec, values, personal_digests.digests(salt, secret))
            elif written:
                payload = event_payload(spec, values)
            events.append(
                NewEvent(
                    workflow, version, number, action, step.user, step.role, step.effective.text,
                    payload, step.idempotency_key,
                )
            )  # fmt: skip
            flow.advance(
                view, workflow, version, number, action,
                Step(index + 1, action, step.effective, values, step.role, now),
            )  # fmt: skip
        return PreparedCase(
            events,
            personal,
            salt,
            mi_model.rows_for(view, self.org),
            worklist.rows_for(view) if self.queues else [],
            deadlines.rows_for(view) if self.queues else [],
            flow_model.rows_for(view) if self.queues else [],
        )

    def _action(self, workflow: str, version: int, action: str) -> tuple[ActionSpec | None, bool]:
        """The action's spec, and whether any of its fields is personal (most are not, and
        need no splitting)."""
        key = (workflow, version, action)
        found = self._actions.get(key)
        if found is None:
            spec = self.flow.spec(workflow, version).action(action)
            personal = spec is not None and any(f.personal or f.free_text for f in spec.fields)
            found = self._actions[key] = (spec, personal)
        return found

    def _instance(self, view: CaseView, step: BulkStep, index: int) -> int:
        """The engine's choice of instance; a step on a many-instance lifecycle must name the
        instance it acts on unless it starts one."""
        flow, workflow = self.flow, step.workflow
        named = step.instance is not None or not flow.latest[workflow].many
        if not named and not flow.starts(workflow, step.action):
            raise StepRefused(index, step.action, "name the instance it acts on", usage=True)
        return flow.instance_for(view, workflow, step.action, step.instance)


def _field_named(message: str, spec: Any) -> str:
    """The field a ``validate_fields`` message is about (it quotes the name)."""
    return next((f.name for f in spec.fields if f"'{f.name}'" in message), "")


_GUARD_FIELDS = {"known_force": "force", "referred_encounter_exists": "encounter"}


def _field_of(blocks: list[Block], step: BulkStep) -> str:
    for b in blocks:
        name = _GUARD_FIELDS.get(b.rule)
        if name and name in step.fields:
            return name
    return ""


def pack(cases: Sequence[PreparedCase]) -> bytes:
    """Prepared cases as one bytes object, for a worker process to hand to the writer.

    Unpickling the dataclasses (a dataclass ``__setstate__`` per event) cost the one writing
    process ~10 µs an event, most of what writing it costs; ``marshal`` of plain tuples and
    rebuilding them costs a quarter of that.  Only between processes of one interpreter:
    marshal's format is version-specific.
    """
    return marshal.dumps([_plain(case) for case in cases])


def _plain(case: PreparedCase) -> tuple:
    rows = case.rows
    return (
        [
            (e.workflow, e.workflow_version, e.instance, e.action, e.actor_user, e.actor_role,
             e.effective, e.payload, e.idempotency_key)
            for e in case.events
        ],
        case.personal,
        case.salt,
        (rows.arrests, rows.people, rows.referrals, rows.spells, rows.high_harm),
        [(w.queue, w.case_id, w.item, w.due, w.force, w.label, w.owner, w.deadline,
          w.deadline_kind)
         for w in case.work],
        [tuple(d) for d in case.due],
        case.flow,
    )  # fmt: skip


def unpack(data: bytes) -> list[PreparedCase]:
    """The cases ``pack`` was given, as equal ``PreparedCase`` objects."""
    return [
        PreparedCase(
            [NewEvent(*e) for e in events],
            personal,
            salt,
            mi_model.MiRows(*rows),
            [WorkItem(*w) for w in work],
            [DueRow(*d) for d in due],
            flow,
        )
        for events, personal, salt, rows, work, due, flow in marshal.loads(data)
    ]


def write(conn: Connection, store: EventStore, cases: Sequence[PreparedCase]) -> list[str]:
    """Write prepared cases inside the caller's write transaction; returns their case ids.

    The new cases' process-map rows are written here, so the mark the map's readers catch up
    from (SQLite) moves past them when it was at the log's end (``flow_model.kept_current``)."""
    with flow_model.kept_current(conn):
        return _write(conn, store, cases)


def _write(conn: Connection, store: EventStore, cases: Sequence[PreparedCase]) -> list[str]:
    ids = store.bulk_open_cases((c.events for c in cases), conn)
    rows = mi_model.MiRows()
    work: list[WorkItem] = []
    due: list[DueRow] = []
    steps: list[tuple] = []
    personal = []
    digests = read_models.digests_kept(conn)
    kept: list[tuple[str, str]] = []
    for case_id, case in zip(ids, cases, strict=True):
        case_work = [replace(item, case_id=case_id) for item in case.work]
        case_due = [row._replace(case_id=case_id) for row in case.due]
        case_rows = case.rows.for_case(case_id)
        work += case_work
        due += case_due
        steps += flow_model.for_case(case.flow, case_id)
        if case.personal:
            personal.append((case_id, case.salt, case.personal))
        rows.extend(case_rows)
        if digests:  # as an action's would be: none for a case never in the report tables
            reported = case_rows if any(case_rows.by_table().values()) else None
            kept.append((read_models.digest_of(case_work, reported, case_due), case_id))
    subjects.write_many(conn, personal)
    mi_model.insert(conn, rows)
    worklist.insert_rows(conn, work)
    deadlines.insert_rows(conn, due)
    flow_model.insert_rows(conn, steps)
    kept_rows.keep_digests(conn, kept)
    return ids


@dataclass
class BulkResult:
    cases: int = 0
    events: int = 0
    first_case: str = ""
    last_case: str = ""
