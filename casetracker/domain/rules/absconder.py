"""Absconder status, derived from the reporting lifecycle (Figure 1).

A listing follows a failure to report and stands until new reporting directions are issued, so
a listed absconder who has just been re-encountered is still one until the Home Office acts.
"""

from __future__ import annotations

from casetracker.domain.case_view import CaseView, Step

LISTED_STATES = frozenset({"listed_absconder", "reencountered"})


def is_listed_absconder(view: CaseView) -> bool:
    reporting = view.one("reporting")
    return reporting is not None and reporting.state in LISTED_STATES


def absconder_listings(view: CaseView) -> list[Step]:
    """Every listing on the case, oldest first (Figure 1 lists the subject twice)."""
    reporting = view.one("reporting")
    if reporting is None:
        return []
    return [s for s in reporting.history if s.action == "list_as_absconder"]
