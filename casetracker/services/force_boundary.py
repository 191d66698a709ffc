"""Where a police user's force ends: which cases a force-bound actor may see and act on, and how
a case outside their force is refused.

A police user belongs to one force, and each force is its own data controller, so another
force's case is answered exactly as a case that does not exist.  Every decision of that kind is
here, in one class, so that acting and reading cannot draw the line differently:
``Casetracker.act`` checks a view it has already loaded against ``may_see`` inside its own write
transaction and signals ``Unseen``; the reads ask ``_visible`` before they log anything.

On PostgreSQL the database draws the line first: row-level security (migration 0012) gives a
police login no row of another force's case, so the service finds no case at all.  Such an
"unknown case" is asked of ``casetracker_case_withheld`` (migration 0021) before it is raised:
if the case is there but withheld from the login, the attempt is logged as a refusal, as on
SQLite, and the user is still told only that the case is unknown (``_refuse_if_withheld``).
"""

from __future__ import annotations

from typing import Any, NoReturn

from casetracker.adapters.database import read_transaction
from casetracker.adapters.withheld_cases import withheld
from casetracker.domain.case_view import CaseView
from casetracker.domain.errors import NotPermitted, UnknownCase
from casetracker.domain.events import RecordedEvent
from casetracker.domain.forces import may_see, without_force
from casetracker.domain.identity import Actor
from casetracker.domain.rules.field_values import as_text
from casetracker.services.actor_session import ActorSession


class Unseen(Exception):
    """A force-bound actor asked for a case outside their force (refused once outside the
    transaction, so that the refusal's log entry is kept)."""


class ForceBoundary(ActorSession):
    """The force checks of the service: who may see a case, what a new case's force is, and the
    refusal that discloses nothing."""

    def _within_force(
        self, actor: Actor, case_id: str | None, action: str, fields: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The fields to act with, if a force-bound actor may act on the case: a case they can
        see, or a new case opened for their own force (which the opening then records)."""
        if case_id is not None:
            try:
                with read_transaction(self.engine) as conn:
                    view = self._current_view(conn, case_id, self.store.head(conn, case_id))
            except UnknownCase:
                self._refuse_if_withheld(actor, case_id, action)
                raise
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

    def _visible(
        self, actor: Actor, case_id: str, events: list[RecordedEvent]
    ) -> tuple[list[RecordedEvent], CaseView | None]:
        """The events of a case the actor may read (none when it is outside their force), and,
        for a force-bound actor, the view folded to decide that, so the caller need not fold
        it again."""
        if not actor.force_bound:
            return events, None
        view = self.flow.fold(case_id, events)
        return (events if may_see(actor, view) else []), view

    def _refuse_if_withheld(self, actor: Actor, case_id: str, attempted: str) -> None:
        """Refuse, logged as ``_refuse_unseen`` does, a case the database did not show a
        force-bound login although it is in the log (PostgreSQL's row-level security); return
        if the case does not exist, or on SQLite, where the service sees every case."""
        if not actor.force_bound:
            return
        with read_transaction(self.engine) as conn:
            hidden = withheld(conn, case_id)
        if hidden:
            self._refuse_unseen(actor, case_id, attempted)

    def _refused_by_database(
        self, exc: BaseException, actor: Actor, case_id: str | None, attempted: str
    ) -> None:
        """As ``ActorSession._refused_by_database``, and row-level security's refusal too: an
        unknown case that is another force's is logged as refused (and stays unknown)."""
        if isinstance(exc, UnknownCase) and case_id:
            self._refuse_if_withheld(actor, case_id, attempted)
        super()._refused_by_database(exc, actor, case_id, attempted)

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
