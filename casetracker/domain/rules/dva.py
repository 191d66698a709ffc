"""DVA passport checks of claimed British citizens (¶4.36–4.37, fn 21–22).

Police may run a check; IOs have no access and must ask CCU; a check is run only where there is
reasonable doubt that the person is a British citizen, and that doubt is recorded, because every
request must be auditable and scrutinised against the same criteria (fn 21–22).
"""

from __future__ import annotations

from dataclasses import dataclass

from casetracker.domain.case_view import CaseView

MIN_JUSTIFICATION = 10  # characters: a reason, not a placeholder
ASKS_CCU = frozenset({"immigration_officer"})


ROUTE = "role"  # the rule a wrong-route reason is given under: it says who may do this instead


@dataclass(frozen=True)
class DvaDecision:
    allowed: bool
    reasons: tuple[str, ...]
    remedies: tuple[str, ...] = ()
    # For each reason, the rule it is about: ``ROUTE`` for the wrong route for the role (its
    # remedy names the right one, which wins over a generic "ask someone with the role").
    rules: tuple[str, ...] = ()


def decide(
    action: str,
    role: str,
    justification: str,
    uk_claims: list[str],
    doubt_to_come: bool = False,
) -> DvaDecision:
    """Whether a DVA step may go ahead: the right route for the role, a doubt, and a UK claim.

    ``action`` is ``run_dva_check`` (police, directly), ``ask_ccu_for_dva_check`` (an IO) or
    ``run_requested_dva_check`` (CCU, for the IO who asked).  ``doubt_to_come``: a preview,
    before the form is filled in, does not yet judge the doubt, only the rest.
    """
    reasons: list[str] = []
    remedies: list[str] = []
    rules: list[str] = []
    if action == "run_dva_check" and role in ASKS_CCU:
        reasons.append("immigration officers have no DVA access (¶4.37)")
        remedies.append("ask CCU to run the check (ask_ccu_for_dva_check)")
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
