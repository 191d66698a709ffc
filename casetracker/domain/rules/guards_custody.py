"""Guards on arrest, custody, status checks, ACRO and DVA (¶3.3–3.6, ¶4.7–4.37, fn 17–22)."""

from __future__ import annotations

from casetracker.domain.case_view import Block, Instance, instance_key
from casetracker.domain.organisation import Force
from casetracker.domain.rules import dva, hosol
from casetracker.domain.rules.absconder import is_listed_absconder
from casetracker.domain.rules.custody_clock import pace_clock
from casetracker.domain.rules.field_values import as_list, as_text
from casetracker.domain.rules.guard_context import GuardContext, as_int, block, unknown_force
from casetracker.domain.rules.offences import unknown_categories
from casetracker.domain.rules.police_custody import held_by_police
from casetracker.domain.rules.referral import ROUTE_OF_ACTION


def known_force(ctx: GuardContext) -> list[Block]:
    code = as_text(ctx.field("force"))
    if ctx.org.force(code) is not None:
        return []
    return [
        block(
            "known_force",
            f"{code or 'no force'} is not a configured police force",
            "use a configured force code such as MPS, WMP or WYP",
        )
    ]


def pace_extension_allowed(ctx: GuardContext) -> list[Block]:
    """One 12-hour extension, before the 24 hours run out, on a superintendent's word (fn 17)."""
    encounter = ctx.target
    if encounter is None:
        return []
    clock = pace_clock(encounter, ctx.attempt.effective.start)
    blocks = []
    if clock.extended:
        blocks.append(
            block(
                "pace_extension_allowed",
                "detention has already been extended once",
                "charge or release before the extended clock runs out",
            )
        )
    if clock.expired:
        blocks.append(
            block(
                "pace_extension_allowed",
                "the PACE clock has already expired",
                "charge or release the detained person now",
            )
        )
    if not ctx.awaiting("superintendent_authority") and not as_text(
        ctx.field("superintendent_authority")
    ):
        blocks.append(
            block(
                "pace_extension_allowed",
                "no superintendent's authority recorded",
                "record who approved the extension",
            )
        )
    return blocks


def arrest_in_progress(ctx: GuardContext) -> list[Block]:
    if any(e.state == "in_custody" for e in ctx.view.of("encounter")):
        return []
    return [
        block(
            "arrest_in_progress",
            "no encounter has the subject in police custody",
            "record the arrest first",
        )
    ]


# What lifts ``police_custody_ended``, by the detention step attempted and the state of the
# encounter that still holds the subject ({n} is its number).
_END_CUSTODY_FIRST = {
    ("detain_under_immigration_powers", "in_custody"): (
        "the police end encounter #{n} first: hand the subject over to immigration detention"
    ),
    ("release_on_reporting_restrictions", "in_custody"): (
        "the police end encounter #{n} first: release the subject from police custody"
    ),
    ("release_to_liberty", "in_custody"): (
        "record how encounter #{n} ended first: released, bailed, no further action or ran away"
    ),
    ("enter_prison", "in_custody"): "charge and remand the subject on encounter #{n} first",
    ("enter_prison", "charged"): "record the remand on encounter #{n} first",
    ("release_to_liberty", "charged"): "record the bail to court on encounter #{n} first",
}
_HELD_BECAUSE = {
    "in_custody": "the PACE clock is running",
    "charged": "charged, and not yet remanded or bailed to court",
}


def police_custody_ended(ctx: GuardContext) -> list[Block]:
    """The subject leaves police custody only once the police have let go of them.

    Under PACE the police hold an arrested person until they charge, release or bail them
    (fn 17); only then is the Home Office free to detain (¶3.2: an IO attends the police
    station to detain; Figure 1, 7–8 May 2016: the police hold him at the Home Office's
    request, and the next day he is placed in immigration detention; Figure 2: served notice,
    then detained) or to release on reporting restrictions (¶4.27), and only a remand sends
    the person to prison.  Moving the detention record first would leave the case saying both:
    an encounter in police custody with its clock running, and a detention somewhere else.
    """
    blocks = []
    for encounter in held_by_police(ctx.view):
        remedy = _END_CUSTODY_FIRST.get(
            (ctx.attempt.action, encounter.state),
            "record remand or bail to court on encounter #{n} first",
        )
        blocks.append(
            block(
                "police_custody_ended",
                f"encounter #{encounter.number} still holds the subject in police custody "
                f"({_HELD_BECAUSE[encounter.state]})",
                remedy.format(n=encounter.number),
            )
        )
    return blocks


def referred_encounter_exists(ctx: GuardContext) -> list[Block]:
    number = ctx.field("encounter")
    if ctx.view.instances.get(instance_key("encounter", as_int(number))) is not None:
        return []
    return [
        block(
            "referred_encounter_exists",
            f"there is no encounter #{number} on this case",
            "record the arrest first, then refer it",
        )
    ]


def status_check_runner(ctx: GuardContext) -> list[Block]:
    """CCU runs the checks referred to it; IOs run local ones where practice allows (¶4.27)."""
    check = ctx.target
    if check is None or check.started is None:
        return []
    route = _route(check)
    role = ctx.attempt.actor_role
    if role == "ccu" and route != "ccu":
        return [
            block(
                "status_check_runner",
                f"this check was referred locally ({route})",
                "the local immigration officer runs it",
            )
        ]
    if role != "immigration_officer":
        return []
    blocks = []
    if route == "ccu":
        blocks.append(block("status_check_runner", "this check was referred to CCU", "CCU runs it"))
    force = ctx.encounter_force(check.fields.get("encounter"))
    if force is not None and not force.policy.io_status_checks:
        blocks.append(
            block(
                "status_check_runner",
                f"{force.name} refers every status check to CCU (¶4.7)",
                "refer the check to CCU",
            )
        )
    waiting = ctx.awaiting("cid_reached")  # a preview still gives the reasons above
    if force is not None and not waiting and as_text(ctx.field("cid_reached")) == "at_the_suite":
        blocks.extend(_no_cid_at_suite(ctx, check, force))
    return blocks


def _no_cid_at_suite(ctx: GuardContext, check: Instance, force: Force) -> list[Block]:
    """An IO cannot have reached CID at a suite the organisation file gives no CID (¶4.28)."""
    encounter = ctx.view.instances.get(
        instance_key("encounter", as_int(check.fields.get("encounter")))
    )
    suite = force.suite(as_text(encounter.fields.get("custody_suite"))) if encounter else None
    if suite is None or suite.cid_access:
        return []
    return [
        block(
            "status_check_runner",
            f"IOs have no CID access at {suite.name} "
            f"(organisation file {force.suite_key(suite)}.cid_access = false, ¶4.28)",
            "record that CID was reached at the local ICE office or by telephone",
        )
    ]


def listed_absconder(ctx: GuardContext) -> list[Block]:
    if is_listed_absconder(ctx.view):
        return []
    return [
        block(
            "listed_absconder",
            "the subject is not listed as an absconder",
            "record the result that CID shows",
        )
    ]


def onward_referral_region(ctx: GuardContext) -> list[Block]:
    """Offenders go to the JOC in London and to the local ICE team elsewhere (¶3.4, ¶3.6)."""
    check = ctx.target
    if check is None:
        return []
    force = ctx.encounter_force(check.fields.get("encounter"))
    if force is None:
        return unknown_force("onward_referral_region")
    to_joc = ctx.attempt.action == "refer_to_joc"
    if to_joc and not force.in_london:
        return [
            block(
                "onward_referral_region",
                f"{force.name} is outside London (¶3.6)",
                "refer to the local ICE team",
            )
        ]
    if not to_joc and force.in_london:
        return [
            block(
                "onward_referral_region",
                f"{force.name} is in London (¶3.4)",
                "refer to the Nexus JOC",
            )
        ]
    return []


def hosol_classification(ctx: GuardContext) -> list[Block]:
    categories = as_list(ctx.field("conviction_categories"))
    blocks = [
        block(
            "hosol_classification",
            f"{c!r} is not an offence category",
            "use the offence categories of the arrest form",
        )
        for c in unknown_categories(categories)
    ]
    blocks.extend(
        block("hosol_classification", problem, "record the result under the other heading")
        for problem in hosol.classification_problems(
            ctx.attempt.action, categories, ctx.field("merited_significant_custody") is True
        )
    )
    return blocks


def dva_reasonable_doubt(ctx: GuardContext) -> list[Block]:
    """Reasonable doubt, recorded, about a recorded claim to be British (fn 21–22, ¶4.37)."""
    request = ctx.target
    kept = as_text(request.fields.get("reasonable_doubt")) if request else ""
    waiting = ctx.awaiting("reasonable_doubt")
    justification = kept if waiting else as_text(ctx.field("reasonable_doubt")) or kept
    decision = dva.decide(
        ctx.attempt.action,
        ctx.attempt.actor_role,
        ctx.org.dva(ctx.attempt.actor_role),
        justification,
        dva.uk_claims(ctx.view),
        doubt_to_come=waiting and not kept,
    )
    if decision.allowed:
        return []
    return [
        block(rule or "dva_reasonable_doubt", reason, remedy)
        for reason, remedy, rule in zip(
            decision.reasons, decision.remedies, decision.rules, strict=True
        )
    ]


def _route(check: Instance) -> str:
    return ROUTE_OF_ACTION.get(check.started.action, "") if check.started else ""
