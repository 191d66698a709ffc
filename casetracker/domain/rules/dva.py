"""DVA passport checks of claimed British citizens (¶4.36–4.37, fn 21–22).

Who may run a check directly and who must ask CCU is the organisation file's ``dva_access``
(police direct, IOs through CCU, ¶4.37; Recommendation 3c would give the JOC direct access), not
this module's; a check is run only where there is reasonable doubt that the person is a British
citizen, and that doubt is recorded, because every request must be auditable and scrutinised
against the same criteria (fn 21–22).
"""

from __future__ import annotations

from dataclasses import dataclass

from casetracker.domain.case_view import CaseView
from casetracker.domain.organisation import DvaAccess

MIN_JUSTIFICATION = 10  # characters: a reason, not a placeholder
# The access each step needs: running a check oneself, asking CCU, or CCU running it for them.
NEEDS = {
    "run_dva_check": DvaAccess.DIRECT,
    "ask_ccu_for_dva_check": DvaAccess.VIA_CCU,
    "run_requested_dva_check": DvaAccess.DIRECT,
}


# The rule a wrong-route reason is given under: the role's line of the organisation file decides,
# and the reason's remedy says which step the role takes instead.
ROUTE = "dva_access"


@dataclass(frozen=True)
class DvaDecision:
    allowed: bool
    reasons: tuple[str, ...]
    remedies: tuple[str, ...] = ()
    # For each reason, the rule it is about: ``ROUTE`` for the wrong route for the role (its
    # remedy names the right one).
    rules: tuple[str, ...] = ()


def decide(
    action: str,
    role: str,
    access: DvaAccess,
    justification: str,
    uk_claims: list[str],
    doubt_to_come: bool = False,
) -> DvaDecision:
    """Whether a DVA step may go ahead: the right route for the role, a doubt, and a UK claim.

    ``action`` is ``run_dva_check`` (directly), ``ask_ccu_for_dva_check`` (a role that goes
    through CCU) or ``run_requested_dva_check`` (CCU, for the officer who asked); ``access`` is
    ``role``'s line of the organisation file.  ``doubt_to_come``: a preview, before the form is
    filled in, does not yet judge the doubt, only the rest.
    """
    reasons: list[str] = []
    remedies: list[str] = []
    rules: list[str] = []
    route = _route_problem(action, role, access)
    if route is not None:
        reasons.append(route[0])
        remedies.append(route[1])
        rules.append(ROUTE)
    if not doubt_to_come and len(justification.strip()) < MIN_JUSTIFICATION:
        reasons.append("no reasonable doubt recorded (fn 21)")
        remedies.append("write down why there is reasonable doubt that the subject is British")
        rules.append("")
    if not uk_claims:
        reasons.append("the record shows no claim to be a British citizen (¶4.36)")
        remedies.append("record the claim first (record_british_claim or record_nationality)")
        rules.append("")
    if reasons:
        return DvaDecision(False, tuple(reasons), tuple(remedies), tuple(rules))
    return DvaDecision(True, (f"reasonable doubt recorded: {justification.strip()}", *uk_claims))


def _route_problem(action: str, role: str, access: DvaAccess) -> tuple[str, str] | None:
    """Why ``role`` may not take this DVA step under its configured access, and who may."""
    needed = NEEDS.get(action)
    if needed is None or access == needed:
        return None
    where = f"organisation file dva_access.{role} = {access.value}"
    if access == DvaAccess.VIA_CCU:
        return (
            f"{role} has no direct DVA access ({where}, ¶4.37)",
            "ask CCU to run the check (ask_ccu_for_dva_check)",
        )
    if access == DvaAccess.DIRECT:
        return (
            f"{role} has direct DVA access ({where}): it runs checks itself",
            "run the check directly (run_dva_check)",
        )
    return (
        f"{role} has no DVA access ({where}, ¶4.36–4.37)",
        "ask a role with DVA access, such as the police or CCU",
    )


def uk_claims(view: CaseView) -> list[str]:
    """Where the record shows the subject claiming to be British."""
    found: list[str] = []
    leave = view.one("leave")
    claim = leave.first("record_british_claim") if leave is not None else None
    if claim is not None:
        found.append(f"claimed British citizenship ({claim.effective})")
    for encounter in view.of("encounter"):
        said_british = any(
            step.action == "record_nationality"
            and step.fields.get("nationality_group") == "claimed_uk"
            for step in encounter.history
        )
        if said_british:
            found.append(f"claimed to be British when arrested (encounter #{encounter.number})")
    return found
