"""The service layer: every use case, called alike by the CLI, the TUI and the tests.

Each function checks everything it can before it opens a write transaction, and raises a
``CasetrackerError`` (never a half-done write) when the request cannot be carried out.  Reading a
case is itself recorded in the access log.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy.engine import Connection

from casetracker.adapters import access_log, read_models, subjects
from casetracker.adapters.database import (
    KeptConnections,
    read_transaction,
)
from casetracker.adapters.store import EventStore, Head, describe, normalise_case_id
from casetracker.adapters.users import list_users, login_name, resolve, save_user
from casetracker.domain import clock
from casetracker.domain.case_facts import CaseFacts, case_facts
from casetracker.domain.case_view import Attempt, CaseView, instance_key
from casetracker.domain.effective_time import EffectiveTimeError, parse
from casetracker.domain.engine import Option, WorkflowEngine
from casetracker.domain.errors import (
    ActionBlocked,
    Conflict,
    IdempotencyMismatch,
    NotPermitted,
    UnknownCase,
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
from casetracker.domain.forces import may_see, without_force
from casetracker.domain.identity import Actor, User
from casetracker.domain.rules.field_values import as_text
from casetracker.services.integrity import Report, make_checkpoint, rebuild_projection, verify
from casetracker.services.setup import open_database

OPEN_ACTION = "open_case"
ERASE_ACTION = "erase_subject"


@dataclass(frozen=True)
class ActResult:
    case_id: str
    events: list[RecordedEvent]
    instance: str
    state: str
    replayed: bool = False  # True when an idempotent retry returned the original events


@dataclass
class CaseSummary:
    case_id: str
    realm: str
    version: int
    opened: str
    updated: str
    states: dict[str, str]
    subject: dict[str, Any] | None
    subject_erased: str | None
    view: CaseView = field(repr=False)
    events: list[RecordedEvent] = field(repr=False, default_factory=list)
    facts: CaseFacts = field(default_factory=CaseFacts)


class ViewCache:
    """Recently used case views, so a caseworker's next action need not re-read the history.

    An entry is used only while its version and head hash still match the log's, so another
    process's write simply causes a re-read.  ``act`` takes a view out of the cache before it
    folds new events into it and puts it back once the transaction has committed, so a failed
    action never leaves a changed view behind.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._views: OrderedDict[str, CaseView] = OrderedDict()

    def get(self, case_id: str) -> CaseView | None:
        view = self._views.get(case_id)
        if view is not None:
            self._views.move_to_end(case_id)
        return view

    def drop(self, case_id: str) -> None:
        self._views.pop(case_id, None)

    def put(self, case_id: str, view: CaseView) -> None:
        self._views[case_id] = view
        self._views.move_to_end(case_id)
        while len(self._views) > self.size:
            self._views.popitem(last=False)


AUDITING_ROLES = ("auditor", "admin")


class _Unseen(Exception):
    """A force-bound actor asked for a case outside their force (refused once outside the
    transaction, so that the refusal's log entry is kept)."""


class Casetracker:
    """An open database plus the person using it."""

    def __init__(
        self,
        url: str,
        *,
        as_user: str | None = None,
        role: str | None = None,
        workflows: WorkflowEngine | None = None,
    ) -> None:
        from casetracker.services.registry import workflow_engine

        self.url = url
        self.engine, self.info = open_database(url)
        self.flow = workflows or workflow_engine()
        self.store = EventStore(self.engine, self.info.realm, self.flow)
        self._as_user, self._role = as_user, role
        self._actor: Actor | None = None
        self._views = ViewCache()
        self._connections = KeptConnections(self.engine)

    def close(self) -> None:
        self._connections.close()
        self.engine.dispose()

    @property
    def realm(self) -> str:
        return self.info.realm

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            with read_transaction(self.engine) as conn:
                try:
                    self._actor = resolve(conn, self.info.realm, self._as_user, self._role)
                except NotPermitted as exc:
                    refused, account = exc, login_name(conn)
            if self._actor is None:
                # Logged as the account that asked, in the role it asked for.
                attempted = f"act as {self._as_user}" if self._as_user else "act"
                self._log_refusal(Actor(account, self._role or ""), "", attempted, [str(refused)])
                raise refused
        return self._actor

    def require_role(self, roles: tuple[str, ...], what: str) -> Actor:
        """The actor, if they act in one of ``roles``; otherwise a logged refusal."""
        actor = self.actor
        if actor.role not in roles:
            message = f"the {actor.role} role may not {what} (only: {', '.join(roles)})"
            self._log_refusal(actor, "", what, [message])
            raise NotPermitted(message)
        return actor

    # ------------------------------------------------------------------ acting

    def open_case(
        self,
        fields: dict[str, Any],
        effective: str | None = None,
        idempotency_key: str | None = None,
    ) -> ActResult:
        return self.act(None, OPEN_ACTION, fields, effective, idempotency_key=idempotency_key)

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
    ) -> ActResult:
        """Validate and record one action on a case (``case_id`` None opens a new case)."""
        case_id = normalise_case_id(case_id) if case_id is not None else None
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
        if idempotency_key:
            retried = self._retry(idempotency_key, workflow, action, case_id, actor)
            if retried is not None:
                return retried
        try:
            with self._connections.write() as conn:
                head = self.store.head(conn, case_id) if case_id else None
                view = self._current_view(conn, case_id, head) if case_id and head else CaseView("")
                if case_id is not None and not may_see(actor, view):
                    raise _Unseen  # decided in the same transaction as the action, at no extra read
                if expected_version is not None and expected_version != view.version:
                    newer = self.store.event_at(conn, view.case_id, expected_version + 1)
                    raise Conflict(
                        view.case_id,
                        expected_version,
                        view.version,
                        describe(newer) if newer else "",
                    )
                number = self._instance_for(view, workflow, action, instance)
                version = self.flow.version_for(view, workflow, number)
                spec = self.flow.spec(workflow, version).action(action)
                assert spec is not None
                if actor.role in spec.roles:
                    values = validate_fields(spec, fields or {})
                    attempt = Attempt(workflow, number, action, values, when, actor.role, now)
                else:  # refused for the role: say so before asking for any field
                    values = {}
                    attempt = Attempt(
                        workflow, number, action, {}, when, actor.role, now, preview=True
                    )
                if spec.guards and head is not None:  # rules may read earlier free text
                    merge_free_text(view, subjects.read(conn, view.case_id)[0] or {})
                blocks = self.flow.check(view, attempt)
                if not blocks:
                    dest = self.flow.fire(view, attempt)
                    logged, personal = split_personal(spec, values, view.version + 1, justification)
                    if case_id is None:
                        case_id = self.store.allocate_case_id(conn)
                    digests = subjects.record(conn, case_id, personal) if personal else None
                    payload = event_payload(spec, logged, digests, provenance)
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
        except _Unseen:
            self._refuse_unseen(actor, case_id, action)
        if not blocks:
            if action == ERASE_ACTION:  # the view may hold merged free text: keep none of it
                subjects.clean_up(self.engine)
            else:
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

    def _within_force(
        self, actor: Actor, case_id: str | None, action: str, fields: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The fields to act with, if a force-bound actor may act on the case: a case they can
        see, or a new case opened for their own force (which the opening then records)."""
        if case_id is not None:
            with read_transaction(self.engine) as conn:
                view = self._current_view(conn, case_id, self.store.head(conn, case_id))
            if not may_see(actor, view):
                self._refuse_unseen(actor, case_id, action)
            return fields or {}
        if not actor.force:
            self._refuse_unseen(actor, None, action)
        given = as_text((fields or {}).get("force")).strip().upper()
        if given and given != actor.force:
            message = f"a {actor.force} officer opens cases for {actor.force} only"
            self._log_refusal(actor, None, action, [message])
            raise NotPermitted(message)
        return {**(fields or {}), "force": actor.force}

    def _refuse_unseen(self, actor: Actor, case_id: str | None, attempted: str) -> NoReturn:
        """Refuse a force-bound actor a case outside their force, as if it did not exist: to
        say "another force's case" would confirm to one data controller what another holds.
        The access log, which only auditors read, says why."""
        if not actor.force:
            message = without_force(actor)
            self._log_refusal(actor, case_id, attempted, [message])
            raise NotPermitted(message)
        assert case_id is not None
        reason = f"not a case of {actor.force}: answered as an unknown case"
        self._log_refusal(actor, case_id, attempted, [reason])
        raise UnknownCase(case_id)

    def _current_view(self, conn: Connection, case_id: str, head: Head) -> CaseView:
        """The case as the rules see it, from this process's cache when the log has not moved."""
        cached = self._views.get(case_id)
        if cached is not None and (cached.version, cached.head_hash) == (head.version, head.hash):
            return cached
        view = self.flow.fold(case_id, self.store.read_case(case_id, conn))
        self._views.put(case_id, view)
        return view

    def _instance_for(self, view: CaseView, workflow: str, action: str, given: int | None) -> int:
        spec = self.flow.latest[workflow]
        if not spec.many:
            if given:
                raise UsageError(f"{spec.label} has one record per case: do not give --instance")
            return 0
        if given is not None and instance_key(workflow, given) not in view.instances:
            numbers = ", ".join(str(i.number) for i in view.of(workflow)) or "none yet"
            raise UsageError(f"{spec.label} #{given} does not exist on this case ({numbers})")
        return self.flow.instance_for(view, workflow, action, given)

    def _effective(self, text: str | None, now: datetime, allow_future: bool = False) -> Any:
        try:
            return parse(text or "now", now, allow_future=allow_future)
        except EffectiveTimeError as exc:
            raise UsageError(str(exc)) from None

    def _log_refusal(
        self, actor: Actor, case_id: str | None, attempted: str, reasons: list[str]
    ) -> None:
        """Every refusal goes into the access log, whatever refused it (issue 13)."""
        with self._connections.write() as conn:
            access_log.append(
                conn,
                user=actor.user,
                role=actor.role,
                action="denied",
                case_id=case_id or "",
                detail={"attempted": attempted, "reasons": reasons},
            )

    # ------------------------------------------------------------------ reading

    def _read_logged(
        self, case_id: str, what: str, justification: str = "", detail: dict | None = None
    ) -> tuple[list[RecordedEvent], CaseView]:
        """Read a case and record the consultation, in one write transaction."""
        actor = self.actor
        view: CaseView | None = None
        with self._connections.write() as conn:
            events = self.store.read_case(case_id, conn)
            if actor.force_bound:  # whether they may see it decides whether the read happens
                view = self.flow.fold(case_id, events)
                if not may_see(actor, view):
                    events = []
            if events:
                access_log.append(
                    conn,
                    user=actor.user,
                    role=actor.role,
                    action=what,
                    case_id=case_id,
                    justification=justification,
                    detail=detail,
                )
        if not events:
            self._refuse_unseen(actor, case_id, what)
        return events, view or self.flow.fold(case_id, events)

    def show(self, case_id: str, reason: str | None = None) -> CaseSummary:
        """The case now.  Personal data is shown only with a stated reason, which is logged."""
        case_id = normalise_case_id(case_id)
        if reason is not None and not reason.strip():
            raise UsageError("give a reason that says why you need the personal data")
        reason = (reason or "").strip()
        events, view = self._read_logged(case_id, "show", reason, {"personal_data": bool(reason)})
        with read_transaction(self.engine) as conn:
            head = self.store.case_head(case_id, conn)
            values, erased = subjects.read(conn, case_id)
        return CaseSummary(
            case_id,
            self.realm,
            head.version,
            head.opened,
            head.updated,
            {k: i.state for k, i in view.instances.items()},
            values if reason else None,
            erased,
            view,
            events,
            case_facts(view, clock.now()),
        )

    def history(self, case_id: str) -> list[RecordedEvent]:
        events, _ = self._read_logged(normalise_case_id(case_id), "history")
        return events

    def replay(
        self, case_id: str, as_of: str | None = None, recorded_as_of: str | None = None
    ) -> tuple[CaseView, list[RecordedEvent]]:
        """The case as it was: on an effective date, or as the record stood at a moment."""
        case_id = normalise_case_id(case_id)
        now = clock.now()
        as_of_time = self._effective(as_of, now, allow_future=True) if as_of else None
        recorded_cut = (
            self._effective(recorded_as_of, now, allow_future=True) if recorded_as_of else None
        )
        events, _ = self._read_logged(
            case_id, "replay", detail={"as_of": as_of or "", "recorded_as_of": recorded_as_of or ""}
        )
        chosen = events
        if recorded_cut is not None:
            cut = clock.format_recorded(recorded_cut.end)
            chosen = [e for e in chosen if e.recorded < cut]
        if as_of_time is not None:
            from casetracker.domain.effective_time import parse_canonical

            chosen = [e for e in chosen if parse_canonical(e.effective).start < as_of_time.end]
            return self.flow.fold(case_id, chosen, strict=False), chosen
        return self.flow.fold(case_id, chosen), chosen

    def options(self, case_id: str) -> tuple[CaseView, list[Option]]:
        """Every action, allowed now or blocked with all its reasons, for the current user."""
        case_id = normalise_case_id(case_id)
        _, view = self._read_logged(case_id, "actions")
        now = clock.now()
        when = parse("now", now)

        def make(workflow: str, number: int, action: str, role: str) -> Attempt:
            return Attempt(workflow, number, action, {}, when, role, now, preview=True)

        return view, self.flow.options(view, self.actor.role, make)

    def access_entries(self, case_id: str | None = None, limit: int | None = 50) -> list:
        """The access log (for one case, or all), itself a consultation worth logging.

        Who consulted which case is itself sensitive (it shows colleagues' work and the cases
        under scrutiny), so only those who audit may read it.
        """
        case_id = normalise_case_id(case_id) if case_id is not None else None
        actor = self.require_role(AUDITING_ROLES, "read the access log")
        with self._connections.write() as conn:
            if case_id is not None:
                self.store.case_head(case_id, conn)
            entries = access_log.entries(conn, case_id, limit)
            access_log.append(
                conn,
                user=actor.user,
                role=actor.role,
                action="read-access-log",
                case_id=case_id or "",
            )
        return entries

    # ------------------------------------------------------------------ users

    def users(self) -> list[User]:
        with read_transaction(self.engine) as conn:
            return list_users(conn)

    def save_user(
        self, name: str, display_name: str, roles: tuple[str, ...], force: str = ""
    ) -> None:
        """Register a user or change their roles (and a police user's force): admins only,
        and logged."""
        actor = self.actor
        if actor.role != "admin":
            message = f"only the admin role may manage users (you act as {actor.role})"
            self._log_refusal(actor, "", "manage users", [message])
            raise NotPermitted(message)
        with self._connections.write() as conn:
            save_user(conn, name, display_name, roles, force)
            access_log.append(
                conn,
                user=actor.user,
                role=actor.role,
                action="user-save",
                detail={"name": name, "roles": list(roles), "force": force},
            )

    # ------------------------------------------------------------------ integrity

    def verify(self, checkpoint: dict[str, Any] | None = None, thorough: bool = False) -> Report:
        with read_transaction(self.engine) as conn:
            return verify(conn, self.info, self.flow, checkpoint, thorough)

    def checkpoint(self) -> dict[str, Any]:
        with read_transaction(self.engine) as conn:
            return make_checkpoint(conn, self.info, clock.utc_now_text())

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute every case's current state, then every read model, from the log alone.

        Returns the number of cases.  Each step is one transaction, so a failure leaves that
        table as it was; rerunning is always safe.
        """
        count = rebuild_projection(self.engine, self.flow, progress)
        for model in read_models.READ_MODELS:
            model.rebuild(self.engine, self.flow, progress)
        self._views = ViewCache()
        return count
