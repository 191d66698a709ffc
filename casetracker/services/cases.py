"""``Casetracker``: the service the CLI, the TUI and the tests all call, and the case work itself.

Each method checks everything it can before it opens a write transaction, and raises a
``CasetrackerError`` (never a half-done write) when the request cannot be carried out.  Reading a
case is itself recorded in the access log.

The class is assembled from one base class per concern, each in a module named for it:
``actor_session`` (the open database, the actor, refusals logged, the cached view),
``force_boundary`` (what a police user's force lets them see), ``case_reading`` (show, history,
replay, options, the access log) and ``user_admin``.  They are base classes rather than helper
objects because all of them share the same session state; ``actor_session`` says more.  This
module keeps what changes a case - ``act`` with its idempotent retries - and the integrity
commands, so the per-action path reads top to bottom in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casetracker.adapters import access_log, read_models, subject_search, subjects
from casetracker.adapters.database import read_transaction
from casetracker.adapters.store import describe, normalise_case_id
from casetracker.domain import clock
from casetracker.domain.case_view import Attempt, CaseView, instance_key
from casetracker.domain.deadlines import WORK
from casetracker.domain.errors import (
    ActionBlocked,
    Conflict,
    IdempotencyMismatch,
    InstanceNotNamed,
    NotPermitted,
    UsageError,
)
from casetracker.domain.events import (
    NewEvent,
    RecordedEvent,
    event_payload,
    merge_free_text,
    split_personal,
)
from casetracker.domain.fields import validate_fields
from casetracker.domain.forces import may_see
from casetracker.domain.identity import Actor
from casetracker.domain.ownership import HeldByAnother, held_by_others
from casetracker.domain.rules import nationality
from casetracker.integrity.personal_digests import ERASE_ACTION
from casetracker.services import four_eyes
from casetracker.services.actor_session import again_if_record_not_as_seen
from casetracker.services.case_reading import AUDITING_ROLES, CaseReading, CaseSummary
from casetracker.services.force_boundary import ForceBoundary, Unseen
from casetracker.services.integrity import (
    Report,
    compare_read_models,
    make_checkpoint,
    rebuild_projection,
    verify,
)
from casetracker.services.organisation_versions import OrganisationRecords
from casetracker.services.user_admin import UserAdministration
from casetracker.services.view_cache import ViewCache
from casetracker.services.work import check_request_key, owner_blocks, owner_values

__all__ = [
    "AUDITING_ROLES",
    "ERASE_ACTION",
    "OPEN_ACTION",
    "ActResult",
    "CaseSummary",
    "Casetracker",
]

OPEN_ACTION = "open_case"


class _KeyRecorded(Exception):
    """The request's idempotency key is in the log: the request is a retry, answered with the
    earlier events as a logged read, or refused (another request's key).  It is looked for in
    the action's own write transaction, before anything is written: looked for before it, a
    retry racing its first attempt (recorded in between) had stored its free text for no
    event, which verify reported as damage."""


@dataclass(frozen=True)
class ActResult:
    case_id: str
    events: list[RecordedEvent]
    instance: str
    state: str
    replayed: bool = False  # True when an idempotent retry returned the original events


class Casetracker(CaseReading, UserAdministration, OrganisationRecords, ForceBoundary):
    """An open database plus the person using it: case work here, the rest in the base classes."""

    # ------------------------------------------------------------------ acting

    def open_case(
        self,
        fields: dict[str, Any],
        effective: str | None = None,
        idempotency_key: str | None = None,
    ) -> ActResult:
        return self.act(None, OPEN_ACTION, fields, effective, idempotency_key=idempotency_key)

    @again_if_record_not_as_seen
    def act(
        self,
        case_id: str | None,
        action: str,
        fields: dict[str, Any] | None = None,
        effective: str | None = None,
        *,
        expected_version: int | None = None,
        instance: int | None = None,
        idempotency_key: str | None = None,
        justification: str = "",
        provenance: dict[str, Any] | None = None,
        take_over: bool = False,
        name_instance: bool = False,
    ) -> ActResult:
        """Validate and record one action on a case (``case_id`` None opens a new case).

        An action on an item someone else holds is refused (``HeldByAnother``) unless
        ``take_over`` confirms it; the event then records whose item it was (``held_by``).
        Without ``instance`` the action is for the record it fits (the latest); with
        ``name_instance`` (a person at the command line) it is refused instead when several
        open records could take it (``InstanceNotNamed``), as a proposal is.
        """
        case_id = normalise_case_id(case_id) if case_id is not None else None
        check_request_key(idempotency_key)  # a tick's keys are its own, whoever calls
        workflow = self.flow.action_owner.get(action)
        if workflow is None:
            raise UsageError(
                f"unknown action {action!r} (`casetracker case actions CASE` lists them)"
            )
        if (case_id is None) != (action == OPEN_ACTION):
            raise UsageError("open a case with `case open`; other actions need a case id")
        now = clock.now()
        when = self._effective(effective, now)
        actor = self.actor
        if actor.force_bound and (case_id is None or idempotency_key):
            fields = self._within_force(actor, case_id, action, fields)
        try:
            with self._connections.write() as conn:
                if idempotency_key and self.store.key_recorded(conn, idempotency_key):
                    raise _KeyRecorded  # answered as a retry, with nothing written
                head = self.store.head(conn, case_id) if case_id else None
                view = self._current_view(conn, case_id, head) if case_id and head else CaseView("")
                if case_id is not None and not may_see(actor, view):
                    raise Unseen  # decided in the same transaction as the action, at no extra read
                if expected_version is not None and expected_version != view.version:
                    newer = self.store.event_at(conn, view.case_id, expected_version + 1)
                    raise Conflict(
                        view.case_id,
                        expected_version,
                        view.version,
                        describe(newer) if newer else "",
                    )
                number = self._instance_for(view, workflow, action, instance, name_instance)
                version = self.flow.version_for(view, workflow, number)
                spec = self.flow.spec(workflow, version).action(action)
                if spec is None:  # the instance is on a version without it
                    bare = Attempt(workflow, number, action, {}, when, actor.role, now)
                    blocks = self.flow.check(view, bare)
                    raise ActionBlocked(f"blocked — {blocks[0]}", blocks)
                if actor.role in spec.roles:
                    values = validate_fields(spec, fields or {})
                    attempt = Attempt(workflow, number, action, values, when, actor.role, now)
                else:  # refused for the role: say so before asking for any field
                    values = {}
                    attempt = Attempt(
                        workflow, number, action, {}, when, actor.role, now, preview=True
                    )
                record: dict[str, Any] | None = None  # the subject record, read at most once
                if spec.guards and head is not None:  # rules may read earlier free text
                    record = subjects.read(conn, view.case_id)[0] or {}
                    merge_free_text(view, record)
                blocks = self.flow.check(view, attempt)
                if workflow == WORK:  # who holds what, decided in this transaction
                    values = owner_values(action, values, actor)
                    blocks += owner_blocks(conn, view, action, values, actor)
                elif workflow == four_eyes.WORKFLOW and actor.role in spec.roles:
                    values = four_eyes.values_for(self, view, action, values, actor)
                    blocks += four_eyes.act_blocks(conn, view, action, number, values, actor)
                blocks += four_eyes.direct_blocks(self.realm, action, spec.label)
                held = held_by_others(view, instance_key(workflow, number), actor.role, actor.user)
                if held and not take_over and not blocks:
                    raise HeldByAnother(view.case_id, held)
                if not blocks:
                    dest = self.flow.fire(view, attempt)
                    logged, personal = split_personal(spec, values, view.version + 1, justification)
                    if nationality.CLAIMED in personal or nationality.VERIFIED in personal:
                        if record is None:
                            record = subjects.read(conn, case_id)[0] or {} if case_id else {}
                        flag = nationality.mismatch(record, personal)
                        logged = logged if flag is None else {**logged, nationality.MISMATCH: flag}
                    if case_id is None:
                        case_id = self.store.allocate_case_id(conn)
                    digests, salt, keyed = (
                        subjects.record(conn, case_id, personal, view.subject_salt)
                        if personal
                        else (None, view.subject_salt, view.derived.get(subjects.DIGESTER))
                    )
                    payload = event_payload(spec, logged, digests, provenance)
                    if held:  # acted on another's item, confirmed: the event says whose
                        payload["held_by"] = [
                            {"queue": queue, "owner": holder} for (queue, _), holder in held
                        ]
                    new = NewEvent(
                        workflow,
                        version,
                        number,
                        action,
                        actor.user,
                        actor.role,
                        when.text,
                        payload,
                        idempotency_key,
                    )
                    recorded = self.store.append(case_id, view.version, [new], conn, head)
                    if action == ERASE_ACTION:
                        subjects.erase(conn, case_id, recorded[-1].recorded)
                    self._views.drop(view.case_id)  # until the transaction is known to be committed
                    view.case_id = case_id
                    read_models.update(conn, self.flow.fold_into(view, recorded))
        except Unseen:
            self._refuse_unseen(actor, case_id, action)
        except _KeyRecorded:
            retried = self._retry(idempotency_key or "", workflow, action, case_id, actor)
            assert retried is not None  # the log only grows: the key is there still
            return retried
        except Exception as exc:  # the database's own guards refuse too: logged as ours are
            self._refused_by_database(exc, actor, case_id, action)
            raise
        if not blocks:
            if action == ERASE_ACTION:  # the view may hold merged free text: keep none of it
                subjects.clean_up(self.engine)
            else:
                view.subject_salt = salt  # known once the transaction that read it committed
                if keyed is not None:  # its digester lives as long as the view
                    view.derived[subjects.DIGESTER] = keyed
                self._views.put(view.case_id, view)
            return ActResult(view.case_id, recorded, instance_key(workflow, number), dest)
        message = f"{spec.label}: " + "; ".join(str(b) for b in blocks)
        if any(b.rule == "role" for b in blocks):
            self._log_refusal(self.actor, case_id, action, [str(b) for b in blocks])
            raise NotPermitted(f"not permitted — {message}", blocks)
        raise ActionBlocked(f"blocked — {message}", blocks)

    def _retry(
        self, key: str, workflow: str, action: str, case_id: str | None, actor: Actor
    ) -> ActResult | None:
        """What an earlier request with this idempotency key recorded, handed back as a logged
        read; a key used for another request (another case, action or user) is a logged
        refusal that discloses nothing of it."""
        try:
            with self._connections.write() as conn:
                earlier = self.store.recorded_for_keys(
                    conn, [(key, workflow, action)], case_id=case_id, actor=(actor.user, actor.role)
                )
                if not earlier:
                    return None
                first = earlier[0]
                target = instance_key(first.workflow, first.instance)
                state = self.store.case_head(first.case_id, conn).state.get(target, "")
                access_log.append(
                    conn, user=actor.user, role=actor.role, action="retry",
                    case_id=first.case_id, detail={"attempted": action},
                )  # fmt: skip
                return ActResult(first.case_id, earlier, target, state, True)
        except IdempotencyMismatch as exc:
            self._log_refusal(actor, case_id, action, [str(exc)])
            raise

    def _instance_for(
        self, view: CaseView, workflow: str, action: str, given: int | None, named: bool = False
    ) -> int:
        spec = self.flow.latest[workflow]
        if not spec.many:
            if given:
                raise UsageError(f"{spec.label} has one record per case: do not give --instance")
            return 0
        if given is not None and instance_key(workflow, given) not in view.instances:
            numbers = ", ".join(str(i.number) for i in view.of(workflow)) or "none yet"
            raise UsageError(f"{spec.label} #{given} does not exist on this case ({numbers})")
        if given is None and named:
            able = self.flow.able(view, workflow, action)
            if len(able) > 1:
                raise InstanceNotNamed(workflow, able, action)
        return self.flow.instance_for(view, workflow, action, given)

    # ------------------------------------------------------------------ integrity

    def verify(
        self,
        checkpoint: dict[str, Any] | None = None,
        thorough: bool = False,
        key: Any = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        """Everything ``casetracker verify`` checks (``thorough``: also every read model's rows
        against the log); ``key``, a public key
        (``tree_heads.public_key``), also checks the checkpoint's signature; ``progress`` is
        told the events walked of the log's."""
        with read_transaction(self.engine) as conn:
            report = verify(conn, self.info, self.flow, checkpoint, thorough, key, progress)
            if thorough:  # row-level security hides a police login's other forces' events
                seen = conn.dialect.name != "postgresql" or not self.actor.force_bound
                compare_read_models(conn, self.flow, report, seen)
            return report

    def checkpoint(self) -> dict[str, Any]:
        with read_transaction(self.engine) as conn:
            return make_checkpoint(conn, self.info, clock.utc_now_text())

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute every case's current state, then every read model, from the log alone,
        then the search index from the subject records.

        Returns the number of cases.  Each step is one transaction, so a failure leaves that
        table as it was; rerunning is always safe.
        """
        count = rebuild_projection(self.engine, self.flow, progress)
        read_models.rebuild(self.engine, self.flow, progress)  # one fold feeds every model
        subject_search.rebuild(self.engine)  # derived from the subject records
        self._views = ViewCache()
        return count
