"""Work that manages itself: named owners of work items, and deadlines that fire (issue 16).

Owners: claiming, releasing and reassigning an item are actions of the ``work`` lifecycle,
taken through ``Casetracker.act`` like every other, so they are checked, chained and raced
like every other (the case version decides).  This module supplies what ``act`` checks them
against, in the action's own write transaction: the case's worklist rows now, who holds what
(``casetracker.domain.ownership``) and whether a new owner is a registered user.

Deadlines: ``due`` lists pending deadlines from their read model, and ``tick`` records each one
that has fallen due as a ``deadline_passed`` event by the user ``system``.  A tick is safe to run
from two machines at once and to run again: each event's idempotency key names the deadline, so
the second writer of the same deadline gets the first one's event back (the unique key decides,
on SQLite and PostgreSQL alike), and a deadline once recorded leaves the read model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from casetracker.adapters import access_log, read_models, worklist
from casetracker.adapters import deadlines as deadline_rows
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.adapters.deadlines import DueRow
from casetracker.adapters.organisation_file import configured
from casetracker.adapters.store import normalise_case_id
from casetracker.adapters.tables import Event, table_of
from casetracker.adapters.users import get_user
from casetracker.domain import clock
from casetracker.domain.case_view import Block, CaseView
from casetracker.domain.deadlines import PASSED_ACTION, WORK, Deadline, due_by, utc_text
from casetracker.domain.errors import (
    ActionBlocked,
    CasetrackerError,
    Conflict,
    IdempotencyMismatch,
    NotPermitted,
    Refused,
    UsageError,
)
from casetracker.domain.events import NewEvent, event_payload
from casetracker.domain.four_eyes import WORKFLOW as AUTHORISATION
from casetracker.domain.identity import SYSTEM_ROLE, SYSTEM_USER, Actor
from casetracker.domain.ownership import (
    CLAIM,
    REASSIGN,
    RELEASE,
    HeldByAnother,
    claim_blocks,
    reassign_blocks,
    release_blocks,
)
from casetracker.domain.queues import QUEUES
from casetracker.domain.vocabulary import ActionSpec
from casetracker.services.driver_errors import driver_message, refusal_by_database

if TYPE_CHECKING:
    from casetracker.services.cases import ActResult, Casetracker

TICK_ACTION = "tick"  # the access-log entry of each tick run (PostgreSQL's guard asks for it)


# ---------------------------------------------------------------------- owners


def owner_values(action: str, values: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """A claim or a release names the person taking it, who is the actor: nobody claims for
    someone else (a supervisor reassigns)."""
    if action not in (CLAIM, RELEASE):
        return values
    given = str(values.get("owner") or "")
    if given and given != actor.user:
        raise UsageError(
            f"a {action.split('_')[0]} is your own ({actor.user}); "
            "a supervisor or an admin reassigns an item to someone else"
        )
    return {**values, "owner": actor.user}


def owner_blocks(
    conn: Connection, view: CaseView, action: str, values: dict[str, Any], actor: Actor
) -> list[Block]:
    """Every reason this claim, release or reassignment may not happen now."""
    item = (str(values.get("queue", "")), str(values.get("item", "")))
    if action == RELEASE:
        return release_blocks(view, item, actor.user)
    open_items = {(row.queue, row.item) for row in worklist.rows_for(view)}
    if action == CLAIM:
        return claim_blocks(view, item, open_items, actor.user, actor.role)
    if action == REASSIGN:
        owner = str(values.get("owner", ""))
        user = get_user(conn, owner)
        if user is None or not user.active:
            return [Block(f"{owner!r} is not an active registered user", rule="owner")]
        return reassign_blocks(view, item, open_items, owner)
    return []


def item_in_queue(ct: Casetracker, case_id: str, queue: str, attempted: str = CLAIM) -> str:
    """The case's one item in ``queue``, as the user's worklist shows it; when there are
    several the caller must name one, and when there is none, there is nothing to hold.

    A worklist lists no other force's case, so before saying the case has no item it is asked
    whether the user may see the case at all, as ``attempted`` through ``act`` would be: an
    unknown case, or another force's answered as one and logged as refused."""
    from casetracker.services import worklists

    if queue not in QUEUES:
        raise UsageError(f"there is no queue {queue!r} (queues: {', '.join(QUEUES)})")
    wanted = normalise_case_id(case_id)
    items = [row.item for row in worklists.page(ct, queue, wanted) if row.case_id == wanted]
    if not items:
        ct._within_force(ct.actor, wanted, attempted, None)
        raise Refused(f"{wanted} has no item in the queue {queue} now")
    if len(items) > 1:
        raise UsageError(
            f"{wanted} has {len(items)} items in {queue}: name one with --item ({', '.join(items)})"
        )
    return items[0]


def claim(ct: Casetracker, case_id: str, queue: str, item: str, **kw: Any) -> ActResult:
    """Take an item of a queue as your own."""
    return ct.act(case_id, CLAIM, {"queue": queue, "item": item}, **kw)


def release(ct: Casetracker, case_id: str, queue: str, item: str, **kw: Any) -> ActResult:
    """Give an item you hold back to its queue."""
    return ct.act(case_id, RELEASE, {"queue": queue, "item": item}, **kw)


def reassign(
    ct: Casetracker, case_id: str, queue: str, item: str, owner: str, **kw: Any
) -> ActResult:
    """Give an item to someone (a supervisor or an admin)."""
    return ct.act(case_id, REASSIGN, {"queue": queue, "item": item, "owner": owner}, **kw)


# ---------------------------------------------------------------------- deadlines


def due(ct: Casetracker, until: datetime | None = None, limit: int = 200) -> list[DueRow]:
    """Pending deadlines soonest first (those due by ``until``, when given); a police user sees
    only their force's."""
    actor = ct.actor
    force = actor.force or "-" if actor.force_bound else None
    return deadline_rows.page(ct.engine, utc_text(until) if until else None, limit, force=force)


@dataclass
class TickResult:
    """What a tick did: the deadlines it recorded (case, deadline) and the cases it read."""

    recorded: list[tuple[str, Deadline]] = field(default_factory=list)
    cases: int = 0
    now: str = ""
    failed: list[tuple[str, str]] = field(default_factory=list)  # (case, why): not recorded


def _key_column_length() -> int:
    """``events.idempotency_key``'s length, as ``tables.Event`` declares it (``max_length``,
    which SQLModel keeps on its string type)."""
    length = getattr(table_of(Event).c.idempotency_key.type, "length", None)
    if not isinstance(length, int):
        raise TypeError("tables.Event.idempotency_key declares no length")
    return length


# The prefix of the keys a tick records passed deadlines under: anyone can work such a key
# out, and one taken first by another request made every later tick refused at that case
# (migration 0029 refuses it on PostgreSQL).
TICK_KEY_PREFIX = "deadline:"
# The longest key an event holds (``events.idempotency_key``): PostgreSQL refused a longer one
# at the insert ("cannot read the database: value too long") where SQLite, which checks no
# length, took it.
KEY_LIMIT = _key_column_length()


def idempotency_key(case_id: str, deadline: Deadline) -> str:
    """The same deadline of the same case gets the same key on every machine."""
    digest = hashlib.sha256(f"{case_id}\x1f{deadline.key}".encode()).hexdigest()
    return f"{TICK_KEY_PREFIX}{digest}"


def key_refused(key: str) -> str | None:
    """Why a request may not record under ``key`` (one a tick keeps for itself, or longer than
    an event holds), or None.  The command line asks it to refuse the option early."""
    if key.startswith(TICK_KEY_PREFIX):
        return (
            f"keys beginning {TICK_KEY_PREFIX!r} are kept for the passed deadlines "
            "`casetracker tick` records"
        )
    if len(key) > KEY_LIMIT:
        return f"at most {KEY_LIMIT} characters"
    return None


def check_request_key(key: str | None) -> None:
    """Refuse, as usage, a request's idempotency key that ``key_refused`` refuses: what every
    caller of the service gives a key through, whatever its interface."""
    problem = key_refused(key) if key else None
    if problem is not None:
        raise UsageError(f"idempotency key: {problem}")


def case_keys(key: str | None, case_ids: list[str]) -> list[str | None]:
    """Each case's key when one key is given for several cases (``KEY/C-0000042``, the case id
    in full however it was typed), so that retrying the whole command records nothing twice;
    refused as usage when the case id added takes one past what an event holds."""
    check_request_key(key)
    if not key or len(case_ids) < 2:
        return [key] * len(case_ids)
    keys: list[str | None] = [f"{key}/{_in_full(case_id)}" for case_id in case_ids]
    longest = max(len(k or "") for k in keys)
    if longest > KEY_LIMIT:
        raise UsageError(
            f"--idempotency-key: with several cases, at most {KEY_LIMIT} characters with "
            f"'/' and the case id added ({longest})"
        )
    return keys


TICK_BATCH = 100  # cases recorded per transaction: a commit (an fsync) costs more than a case


def tick(ct: Casetracker, now: datetime | None = None) -> TickResult:
    """Record every deadline due by ``now`` and not yet recorded, one system event each.

    The runner must be a registered user (any role): each case's deadlines are logged in the
    access log in their name, in the same transaction as the events.  Cases are recorded
    ``TICK_BATCH`` to a transaction; when one of them changed under us (another machine's tick,
    a caseworker: the version decides), the batch is rolled back and done again a case per
    transaction, each read afresh.  So is a batch in which the log or the database refuses one
    case (its projection row out of step, which on PostgreSQL a police member may write for
    their own force): that case is logged as refused and reported in ``failed``, and every
    other case is still recorded.
    """
    actor = ct.actor
    moment = now or clock.now()
    result = TickResult(now=utc_text(moment))
    with read_transaction(ct.engine) as conn:
        cases = deadline_rows.due_cases(conn, result.now)
    for start in range(0, len(cases), TICK_BATCH):
        batch = cases[start : start + TICK_BATCH]
        try:
            with write_transaction(ct.engine) as conn:
                found = [_tick_case(ct, conn, actor, case_id, moment) for case_id in batch]
        except Exception as exc:
            if _refusal(exc) is None:  # a bug, not a case the log or the database refused
                raise
            found = [_tick_or_report(ct, actor, case_id, moment, result) for case_id in batch]
        for case_id, passed in zip(batch, found, strict=True):
            result.recorded.extend((case_id, d) for d in passed)
        result.cases += len(batch)
    return result


def _refusal(exc: BaseException) -> str | None:
    """Why a case could not be recorded, in one line, if ``exc`` is a refusal of that case (the
    service's, the log's or the database driver's); None for anything else, which is a bug."""
    if isinstance(exc, CasetrackerError):
        said: str | None = str(exc)
    else:
        said = refusal_by_database(exc) or driver_message(exc)
    return None if said is None else (said.strip().splitlines() or [type(exc).__name__])[0]


def _tick_or_report(
    ct: Casetracker, actor: Actor, case_id: str, moment: datetime, result: TickResult
) -> list[Deadline]:
    """The case's deadlines recorded alone, or, refused, none: the refusal is logged as every
    refusal is and kept in ``result.failed``, and the tick goes on to the next case."""
    try:
        return _tick_alone(ct, actor, case_id, moment)
    except Exception as exc:
        reason = _refusal(exc)
        if reason is None:
            raise
        ct._log_refusal(actor, case_id, TICK_ACTION, [reason])
        result.failed.append((case_id, reason))
        return []


def _tick_alone(ct: Casetracker, actor: Actor, case_id: str, moment: datetime) -> list[Deadline]:
    """One case in a transaction of its own, read again on a conflict (three tries)."""
    for attempt in range(3):
        try:
            with write_transaction(ct.engine) as conn:
                return _tick_case(ct, conn, actor, case_id, moment)
        except Conflict:
            if attempt == 2:
                raise
    return []  # not reached: the last attempt returns or raises


def _tick_case(
    ct: Casetracker, conn: Connection, actor: Actor, case_id: str, moment: datetime
) -> list[Deadline]:
    """Record the case's deadlines due by ``moment`` in ``conn``'s transaction; returns them."""
    head = ct.store.head(conn, case_id)
    view = ct.flow.fold(case_id, ct.store.read_case(case_id, conn))
    passed = due_by(view, configured(), moment)
    if not passed:  # met, or recorded by another machine since the list was read
        read_models.update(conn, view)
        return []
    version = ct.flow.version_for(view, WORK, 0)
    spec = ct.flow.spec(WORK, version).action(PASSED_ACTION)
    assert spec is not None  # workflows/work.py defines it in every version
    access_log.append(
        conn, user=actor.user, role=actor.role, action=TICK_ACTION, case_id=case_id,
        detail={"deadlines": [d.key for d in passed]},
    )  # fmt: skip
    events = [_passed_event(spec, version, case_id, d) for d in passed]
    recorded = ct.store.append(case_id, view.version, events, conn, head)
    read_models.update(conn, ct.flow.fold_into(view, recorded))
    return passed


def _passed_event(spec: ActionSpec, version: int, case_id: str, deadline: Deadline) -> NewEvent:
    """The system's event for one passed deadline: effective when it fell due."""
    fields = {
        "deadline": deadline.key,
        "kind": deadline.kind,
        "item": deadline.item,
        "due": deadline.due_text,
    }
    return NewEvent(
        WORK,
        version,
        0,
        PASSED_ACTION,
        SYSTEM_USER,
        SYSTEM_ROLE,
        deadline.due_text,
        event_payload(spec, fields),
        idempotency_key(case_id, deadline),
    )


# ---------------------------------------------------------------------- bulk

# Owners, passed deadlines and four-eyes proposals are worked from their queues (issue 16), not
# offered among a case's actions.
WORKED_FROM_QUEUES = (WORK, AUTHORISATION)


def allowed_on_each(ct: Casetracker, case_ids: list[str]) -> list[tuple[str, str, int]]:
    """The actions the user may take now on at least one of the cases (as each case screen
    lists them allowed): (name, label, on how many), those allowed on most first, for
    ``act_on_each``.  Only an action's name is recorded on each case, so an action allowed on
    two records of one case counts once."""
    allowed: dict[str, tuple[str, set[str]]] = {}
    for case_id in case_ids:
        _, options = ct.options(case_id)
        for o in options:
            if o.allowed and o.workflow not in WORKED_FROM_QUEUES:
                allowed.setdefault(o.spec.name, (o.spec.label, set()))[1].add(case_id)
    found = [(name, label, len(on)) for name, (label, on) in allowed.items()]
    return sorted(found, key=lambda f: (-f[2], f[1]))


def _in_full(case_id: str) -> str:
    """The case id in full (``1`` is ``C-0000001``); a malformed one as typed, which ``act``
    refuses as usage for that case alone."""
    try:
        return normalise_case_id(case_id)
    except UsageError:
        return case_id


def _earlier_key(ct: Casetracker, typed: str, key: str, action: str) -> str | None:
    """The key an earlier release gave this case for ``key`` when several cases took it
    (``KEY/`` and the case id as typed: here as typed now, or as its number), if it holds this
    very request: this case, this action, this user in this role.  A key held by anything else
    is passed over as if it were not there, so that it says nothing of another case or person
    and refuses nothing the new key would record."""
    case_id = _in_full(typed)
    workflow = ct.flow.action_owner.get(action)
    if workflow is None or case_id == typed:  # malformed, or typed in full: no other spelling
        return None
    actor = ct.actor
    for spelling in dict.fromkeys((typed, str(int(case_id[2:])))):
        earlier = f"{key}/{spelling}"
        if spelling == case_id or len(earlier) > KEY_LIMIT:
            continue
        with read_transaction(ct.engine) as conn:
            try:
                found = ct.store.recorded_for_keys(
                    conn, [(earlier, workflow, action)], case_id=case_id,
                    actor=(actor.user, actor.role),
                )  # fmt: skip
            except IdempotencyMismatch:
                continue
        if found:
            return earlier
    return None


@dataclass(frozen=True)
class Outcome:
    """One case of a bulk action: its result, or why it was refused (and the rules' blocks)."""

    case_id: str
    result: ActResult | None = None
    error: str = ""
    blocks: tuple[Block, ...] = ()
    held: tuple[tuple[tuple[str, str], str], ...] = ()  # items another holds, when that refused

    @property
    def done(self) -> bool:
        return self.result is not None


def act_on_each(
    ct: Casetracker,
    case_ids: list[str],
    action: str,
    fields: dict[str, Any] | None = None,
    effective: str | None = None,
    *,
    take_over: bool = False,
    idempotency_key: str | None = None,
    justification: str = "",
    name_instance: bool = False,
) -> list[Outcome]:
    """The same action on several cases, each its own event in its own transaction, each
    checked and refused on its own with its reasons: one case's refusal leaves the others'
    events standing.  A key given for the lot becomes one key per case (``KEY/C-0000042``),
    so retrying the whole command records nothing twice, however the ids are typed; a key an
    earlier release recorded with the id as typed is still found (``_earlier_key``)."""
    if len({_in_full(c) for c in case_ids}) != len(case_ids):
        raise UsageError("a case id is given twice: each case takes the action once")
    outcomes: list[Outcome] = []
    malformed: list[UsageError] = []
    for case_id, key in zip(case_ids, case_keys(idempotency_key, case_ids), strict=True):
        if key is not None and idempotency_key and len(case_ids) > 1:
            key = _earlier_key(ct, case_id, idempotency_key, action) or key
        try:
            result = ct.act(
                case_id,
                action,
                dict(fields or {}),
                effective,
                take_over=take_over,
                idempotency_key=key,
                justification=justification,
                name_instance=name_instance,
            )
        except HeldByAnother as exc:
            outcomes.append(Outcome(case_id, error=str(exc), held=tuple(exc.held)))
        except (ActionBlocked, NotPermitted) as exc:
            outcomes.append(Outcome(case_id, error=str(exc), blocks=tuple(exc.blocks)))
        except (UsageError, Refused) as exc:  # an unknown case, a conflict: this case only
            if isinstance(exc, UsageError):
                malformed.append(exc)
            outcomes.append(Outcome(case_id, error=str(exc)))
        else:
            outcomes.append(Outcome(case_id, result))
    if malformed and len(malformed) == len(outcomes):  # malformed for every case: exit 2
        raise malformed[0]
    return outcomes
