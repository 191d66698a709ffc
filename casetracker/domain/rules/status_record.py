"""What the status record (the ``leave`` lifecycle) says about the subject's lawfulness on a day.

A finding that the subject is an immigration offender is recorded in two places: on the status
record itself (``record_overstay``, ``record_not_exercising_treaty_rights``) and as a status
check's result.  Both, and every action that relies on either (removal papers), must agree with
the status record, so the one reading lives here (DOMAIN.md "Read closely"; fn 5, fn 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from casetracker.domain.case_view import CaseView
from casetracker.domain.rules import eea
from casetracker.domain.rules.field_values import as_date, as_text

_HOLDS_LEAVE = ("leave_granted", "leave_granted_on_claim")
_EEA = ("eea_initial_right", "eea_qualified", "eea_not_exercising")


@dataclass(frozen=True)
class Lawful:
    """Why the record shows the subject lawfully in the UK on a day, and what would change it."""

    reason: str
    remedy: str


def lawful_on(view: CaseView, day: date) -> Lawful | None:
    """The record's reason the subject is lawfully in the UK on ``day``; None when it gives none.

    No status record, or one that is unknown or adverse, leaves the finding to the status
    check: CID's answer is then the only record (Figure 2).
    """
    leave = view.one("leave")
    if leave is None:
        return None
    if leave.state == "british_verified":
        return Lawful(
            "the status record shows a verified British citizen (¶4.36)",
            "no immigration offence is possible: correct the status record if it is wrong",
        )
    if leave.state in _HOLDS_LEAVE:
        valid_to = as_date(leave.fields.get("valid_to"))
        if valid_to is None:
            return Lawful(
                f"the status record shows {as_text(leave.fields.get('leave_type'))} leave "
                "with no end date",
                "record the leave that ended, with its end date, first",
            )
        if day <= valid_to:
            return Lawful(
                f"leave is valid until {valid_to}, not before {day}",
                f"record the overstay as from {valid_to + timedelta(days=1)}",
            )
    if leave.state in _EEA:
        return _eea_lawful(leave.state, as_date(leave.fields.get("entered_on")), day)
    return None


def _eea_lawful(state: str, entered: date | None, day: date) -> Lawful | None:
    if entered is not None:
        found = eea.assess(entered, day)
        if found.status == "initial_right":
            return Lawful(found.reasons[0], f"wait until {found.initial_right_ends}")
    if state == "eea_qualified":
        return Lawful(
            "the status record shows an EEA national exercising Treaty rights (fn 9)",
            "record on the status record that Treaty rights are no longer exercised first",
        )
    return None
