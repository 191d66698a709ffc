"""The reading side of the ``Casetracker`` service: a case now, its history, a replay as of a
past date, the actions open to the user, and the access log.

Every read of a case is itself a consultation, written to the access log in the same transaction
that reads it (``_read_logged``), and a force-bound reader is refused another force's case before
anything is logged as read; that is why this class builds on ``ForceBoundary``.  Reading never
changes a case, so none of it is on the per-action path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from casetracker.adapters import access_log, subjects
from casetracker.adapters.database import read_transaction
from casetracker.adapters.store import normalise_case_id
from casetracker.domain import clock
from casetracker.domain.case_facts import CaseFacts, case_facts
from casetracker.domain.case_view import Attempt, CaseView
from casetracker.domain.effective_time import (
    EffectiveTime,
    EffectiveTimeError,
    UnreadableTime,
    parse,
    parse_canonical,
)
from casetracker.domain.engine import Option
from casetracker.domain.errors import UnknownCase, UsageError
from casetracker.domain.events import RecordedEvent
from casetracker.domain.rules.acro_redaction import redact_events, redact_view, withheld_checks
from casetracker.services import four_eyes
from casetracker.services.force_boundary import ForceBoundary
from casetracker.services.registry import organisation

AUDITING_ROLES = ("auditor", "admin")


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


class CaseReading(ForceBoundary):
    """Reads of one case (each logged) and of the access log (auditors only)."""

    def _read_logged(
        self, case_id: str, what: str, justification: str = "", detail: dict | None = None
    ) -> tuple[list[RecordedEvent], CaseView]:
        """Read a case and record the consultation, in one write transaction."""
        actor = self.actor
        try:
            with self._connections.write() as conn:
                # Whether a force-bound actor may see it decides whether the read happens.
                events, view = self._visible(actor, case_id, self.store.read_case(case_id, conn))
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
        except UnknownCase:  # on PostgreSQL, perhaps another force's, withheld by the database
            self._refuse_if_withheld(actor, case_id, what)
            raise
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
        events, view = self.as_shown(events, view)
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
        events, view = self._read_logged(normalise_case_id(case_id), "history")
        return self.as_shown(events, view)[0]

    def replay(
        self, case_id: str, as_of: str | None = None, recorded_as_of: str | None = None
    ) -> tuple[CaseView, list[RecordedEvent]]:
        """The case as it was: on an effective date, or as the record stood at a moment."""
        case_id = normalise_case_id(case_id)
        now = clock.now()
        as_of_time = self._effective(as_of, now, allow_future=True) if as_of is not None else None
        recorded_cut = _recorded_moment(recorded_as_of, now) if recorded_as_of is not None else None
        events, view = self._read_logged(
            case_id, "replay", detail={"as_of": as_of or "", "recorded_as_of": recorded_as_of or ""}
        )
        events, _ = self.as_shown(events, view)
        chosen = events
        if recorded_cut is not None:
            cut = clock.format_recorded(recorded_cut.end)
            chosen = [e for e in chosen if e.recorded < cut]
        if as_of_time is not None:
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

        options = self.flow.options(view, self.actor.role, make)  # the rules see everything
        options = four_eyes.with_four_eyes(self.realm, options)  # a second person's, in live
        return self.as_shown([], view)[1], options

    def as_shown(
        self, events: list[RecordedEvent], view: CaseView
    ) -> tuple[list[RecordedEvent], CaseView]:
        """What the reader may see: police-only ACRO results redacted (¶4.32, ¶4.35); every
        read path, the export included, goes through here."""
        hidden = withheld_checks(view, organisation(), self.actor.role)
        return redact_events(events, hidden), redact_view(view, hidden)

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


def _recorded_moment(text: str, now: datetime) -> EffectiveTime:
    """The moment the record is read as it stood at: its end, for a day (or a month or range,
    which are taken at their end too).  Text that is no time is answered with the forms of a
    moment: the forms of an effective time (a month, a range) suggest a period, not a moment."""
    try:
        return parse(text, now, allow_future=True)
    except UnreadableTime:
        raise UsageError(
            f"cannot read {text!r} as a moment: use a time, 2016-06-24T09:30, or a day, "
            "2016-06-24 (the record as it stood at that day's end)"
        ) from None
    except EffectiveTimeError as exc:
        raise UsageError(str(exc)) from None
