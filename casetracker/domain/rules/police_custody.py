"""Who holds the subject: the police, under an encounter, or whoever the detention record names.

The encounter says why the police hold someone and runs the PACE clock; the detention lifecycle
says where the person is.  The two must never disagree (Figure 1, 7–8 May 2016: the police hold
him at the Home Office's request, and only the next day is he placed in immigration detention),
so the police's hold is derived here once, for the guard that keeps detention from moving while
it lasts and for the checks that generated data agrees with itself.
"""

from __future__ import annotations

from casetracker.domain.case_view import CaseView, Instance

# Encounter states in which the police still have the subject: under the PACE clock, or charged
# and waiting to be remanded or bailed to court (fn 17: the clock ends in a charge or a release,
# not in the person leaving the police station).
POLICE_HOLD_STATES = frozenset({"in_custody", "charged"})

# Detention states an arrest leaves the subject in until entry to police custody is recorded.
_BEFORE_POLICE_CUSTODY = ("at_liberty", "temporary_release")


def held_by_police(view: CaseView) -> list[Instance]:
    """The encounters under which the police still hold the subject, oldest first."""
    return [e for e in view.of("encounter") if e.state in POLICE_HOLD_STATES]


def custody_contradictions(view: CaseView) -> list[str]:
    """Every way the detention record has moved ahead of the police's hold: the subject in
    prison, in immigration detention or removed while an encounter still holds them.

    ``police_custody_ended`` makes these unreachable; empty for every case recorded since.
    """
    where = _detention_state(view)
    if where in ("police_custody", *_BEFORE_POLICE_CUSTODY):
        return []
    return [f"{e.key} is {e.state} but detention is {where}" for e in held_by_police(view)]


def custody_steps_pending(view: CaseView) -> list[str]:
    """Detention steps that have not yet caught up with the encounters, each with the step.

    Each change of hands takes two steps, one per lifecycle: the arrest, then the entry to
    police custody; the end of the police's hold (release, bail, hand-over, remand, escape),
    then where the subject went.  Between the two the case is on its way, not contradictory,
    but a finished record (a generated case, a case-study's end) has none left pending.
    """
    where = _detention_state(view)
    held = held_by_police(view)
    if where in _BEFORE_POLICE_CUSTODY and held:
        return [f"detention is {where} after an arrest: record the entry to police custody"]
    if where == "police_custody" and not held:
        encounters = view.of("encounter")
        latest = f" ({encounters[-1].key} is {encounters[-1].state})" if encounters else ""
        return [
            f"detention is police_custody but no encounter holds the subject{latest}: "
            "record where the subject went"
        ]
    return []


def _detention_state(view: CaseView) -> str:
    detention = view.one("detention")
    return detention.state if detention is not None else "at_liberty"
