"""What every part of the ``Casetracker`` service shares: the open database and the person using it.

``Casetracker`` is assembled from one class per concern - acting (``cases.py``), the force
boundary (``force_boundary.py``), reading (``case_reading.py``) and managing users
(``user_admin.py``) - each a subclass of ``ActorSession``.  They are base classes of one object
rather than helper objects it holds because every one of them needs the same things: the engine
and kept connections, the event store, the workflow engine, the view cache, the actor (resolved
once) and the refusal log.  As helpers they would each take all of that as arguments or hold a
reference back to the service; as base classes they read it from ``self``, callers keep calling
``ct.show(...)`` and ``ct.act(...)`` as before, and the per-action path looks up exactly the
attributes it did when it was one class.

This class holds the session itself: opening and closing the database, who the actor is (a
refused identity is logged before it is raised), the role check, the access-log entry every
refusal gets, effective-time parsing and the cached case view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.engine import Connection

from casetracker.adapters import access_log, subjects
from casetracker.adapters.database import KeptConnections, read_transaction
from casetracker.adapters.store import EventStore, Head
from casetracker.adapters.users import login_name, resolve
from casetracker.domain.access import DENIED
from casetracker.domain.case_view import CaseView
from casetracker.domain.effective_time import EffectiveTimeError, parse
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.errors import NotPermitted, Refused, UsageError
from casetracker.domain.identity import Actor
from casetracker.services.driver_errors import driver_message, refusal_by_database
from casetracker.services.setup import open_database
from casetracker.services.view_cache import ViewCache

_P = ParamSpec("_P")
_R = TypeVar("_R")


class RecordNotAsSeen(Refused):
    """The subject record a kept view's salt came from was erased or changed behind it, found at
    the commit on PostgreSQL (``subjects.not_as_seen``): nothing was written, and the action is
    done again reading the record (``again_if_record_not_as_seen``)."""


def again_if_record_not_as_seen(action: Callable[_P, _R]) -> Callable[_P, _R]:
    """Do ``action`` once more if its transaction failed on a record not as its kept view saw
    it.  The kept view and salts are dropped by then (``_refused_by_database``), so the second
    time reads the record and answers as a service that kept nothing would: an erased record
    refused, free text digested with the salt the record has.  It cannot fail so again: with
    no salt kept, ``subjects.record`` asks nothing that raises it."""

    @functools.wraps(action)
    def once_more(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return action(*args, **kwargs)
        except RecordNotAsSeen:
            return action(*args, **kwargs)

    return once_more


class ActorSession:
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

    def _current_view(self, conn: Connection, case_id: str, head: Head) -> CaseView:
        """The case as the rules see it, from this process's cache when the log has not moved."""
        cached = self._views.get(case_id)
        if cached is not None and (cached.version, cached.head_hash) == (head.version, head.hash):
            return cached
        view = self.flow.fold(case_id, self.store.read_case(case_id, conn))
        self._views.put(case_id, view)
        return view

    def _effective(self, text: str | None, now: datetime, allow_future: bool = False) -> Any:
        """None (not given) is now; a time given empty is refused, not taken for now: a
        script's ``-e "$WHEN"`` with nothing in it is a mistake, not the present."""
        try:
            return parse("now" if text is None else text, now, allow_future=allow_future)
        except EffectiveTimeError as exc:
            raise UsageError(str(exc)) from None

    def _refused_by_database(
        self, exc: BaseException, actor: Actor, case_id: str | None, attempted: str
    ) -> None:
        """If the database's own guards refused a write (on PostgreSQL, a member held to what
        the service enforces, docs/postgresql.md), log that refusal like any other and raise it
        as ``NotPermitted``; for any other error, return and let the caller re-raise it.  A
        subject record not as a kept view saw it is no refusal but ``RecordNotAsSeen``.

        The failed transaction has rolled back, so the entry is written in one of its own, in
        the name the server knows the login by (``session_user``): the access log's guard
        takes a refusal only in one's own name, and it is who was refused.
        """
        if subjects.not_as_seen(exc):  # not a refusal: the action is done again
            subjects.forget_salts()
            if case_id:
                self._views.drop(case_id)
            raise RecordNotAsSeen(driver_message(exc) or str(exc)) from None
        message = refusal_by_database(exc)
        if message is None:
            return
        with read_transaction(self.engine) as conn:
            login = login_name(conn)
        self._log_refusal(Actor(login, actor.role), case_id, attempted, [message])
        raise NotPermitted(f"refused by the database: {message}") from None

    def _log_refusal(
        self, actor: Actor, case_id: str | None, attempted: str, reasons: list[str]
    ) -> None:
        """Every refusal goes into the access log, whatever refused it (issue 13)."""
        with self._connections.write() as conn:
            access_log.append(
                conn,
                user=actor.user,
                role=actor.role,
                action=DENIED,
                case_id=case_id or "",
                detail={"attempted": attempted, "reasons": reasons},
            )
