"""Whether the subject has a document to travel on (Figure 1 comments, Figure 2).

Removal cannot take place without one: a valid passport, or an Emergency Travel Document issued
by the subject's High Commission.  A document past its recorded expiry does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casetracker.domain.case_view import CaseView
from casetracker.domain.rules.field_values import as_date

_NEXT_STEP = {
    "unassessed": "record a valid passport, or that an ETD is needed",
    "etd_needed": "apply for an ETD (interview the subject if the High Commission requires it)",
    "interview_scheduled": "hold the ETD interview",
    "interview_halted": "reschedule the ETD interview",
    "interview_not_attended": "reschedule the ETD interview",
    "interviewed": "apply to the High Commission for an ETD",
    "applied": "wait for the High Commission to issue the ETD",
    "refused": "apply again, or establish nationality afresh",
    "passport_held": "obtain a new passport or apply for an ETD",
    "issued": "apply for a new ETD",
}


@dataclass(frozen=True)
class TravelDocument:
    held: bool
    reason: str
    remedy: str = ""


def travel_document(view: CaseView, on: date) -> TravelDocument:
    """The subject's travel document position on day ``on``."""
    etd = view.one("etd")
    state = etd.state if etd is not None else "unassessed"
    expiry_field = {"issued": "etd_valid_to", "passport_held": "passport_valid_to"}.get(state)
    if expiry_field is None:
        return TravelDocument(
            False, f"no travel document (ETD: {state.replace('_', ' ')})", _NEXT_STEP[state]
        )
    expires = as_date(etd.fields.get(expiry_field)) if etd is not None else None
    document = "issued ETD" if state == "issued" else "valid passport"
    if expires is not None and expires < on:
        return TravelDocument(False, f"the {document} expired on {expires}", _NEXT_STEP[state])
    return TravelDocument(True, f"{document} held")
