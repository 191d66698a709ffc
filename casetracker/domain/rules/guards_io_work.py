"""Guards on an IO's daily work around custody: sweeps of custody lists, transfers to the suites
where IOs work, and updating CID after a referral (¶3.5, ¶4.3–4.5, ¶4.12–4.19, ¶4.26–4.27)."""

from __future__ import annotations

from casetracker.domain.case_view import Block, instance_key
from casetracker.domain.organisation import CustodyDbAccess, SuiteModel
from casetracker.domain.rules import cid_update
from casetracker.domain.rules.custody_suite import suite_at
from casetracker.domain.rules.field_values import as_list, as_text
from casetracker.domain.rules.guard_context import GuardContext, as_int, block, unknown_force

# Suites offenders are taken to: London's hubs (¶4.13) and the central suites covered by a rota
# of IOs in the West Midlands (¶4.16) and West Yorkshire (¶4.19).
CENTRAL_MODELS = (SuiteModel.HUB, SuiteModel.ROTA)


def sweep_finds_unreferred(ctx: GuardContext) -> list[Block]:
    """A sweep records someone nobody referred, on a list the IOs can see (¶4.3, ¶4.5, ¶4.26).

    IOs check custody lists for foreign nationals who were never referred (¶3.5; ¶4.3: 5–10% in
    the West Midlands); where they cannot see who is in custody at all, there is no sweep.
    """
    encounter = ctx.target
    if encounter is None:
        return []
    blocks = [
        block(
            "sweep_finds_unreferred",
            f"encounter #{encounter.number} was already referred (status check "
            f"#{check.number}, {check.started.action if check.started else ''})",
            "a sweep records only people nobody referred; work the existing check",
        )
        for check in ctx.view.of("status_check")
        if as_int(check.fields.get("encounter")) == encounter.number
    ]
    force = ctx.org.force(as_text(encounter.fields.get("force")))
    if force is None:
        return [*blocks, *unknown_force("sweep_finds_unreferred")]
    suite = force.suite(suite_at(encounter))
    if force.custody_db_at(suite) == CustodyDbAccess.NONE:
        where = force.suite_key(suite) if suite else f"forces.{force.code}"
        blocks.append(
            block(
                "sweep_finds_unreferred",
                f"IOs cannot see who is in custody at {suite.name if suite else force.name} "
                f"(organisation file {where}.custody_db = none, ¶4.26)",
                "ask the police to refer the person for a status check",
            )
        )
    return blocks


def transfer_to_central_suite(ctx: GuardContext) -> list[Block]:
    """A transfer goes to a hub or central rota suite of the arresting force (¶4.13, ¶4.16,
    ¶4.19), named as in the organisation file."""
    encounter = ctx.target
    if encounter is None or ctx.awaiting("custody_suite"):
        return []
    force = ctx.org.force(as_text(encounter.fields.get("force")))
    if force is None:
        return unknown_force("transfer_to_central_suite")
    central = [s.name for s in force.suites if s.model in CENTRAL_MODELS]
    choose = (
        f"name one of {', '.join(central)}"
        if central
        else f"{force.name} has no hub or central suite in the organisation file"
    )
    wanted = as_text(ctx.field("custody_suite"))
    suite = force.suite(wanted)
    if suite is None:
        reason = f"{wanted or 'no suite'} is not a custody suite of {force.name} in the "
        return [block("transfer_to_central_suite", reason + "organisation file", choose)]
    if suite.model not in CENTRAL_MODELS:
        return [
            block(
                "transfer_to_central_suite",
                f"{suite.name} is a {suite.model.value} suite ({force.suite_key(suite)}.model); "
                "offenders are taken to hub or central rota suites (¶4.13, ¶4.16, ¶4.19)",
                choose,
            )
        ]
    if suite_at(encounter).lower() == suite.name.lower():
        return [
            block(
                "transfer_to_central_suite",
                f"encounter #{encounter.number} is already held at {suite.name}",
                "record the transfer only when the person moves",
            )
        ]
    return []


def cid_update_follows_referral(ctx: GuardContext) -> list[Block]:
    """CID is updated on a referral an IO holds, with actions this record shows (¶4.27)."""
    if ctx.awaiting("status_check"):
        return []
    number = as_int(ctx.field("status_check"))
    check = ctx.view.instances.get(instance_key("status_check", number))
    if check is None:
        return [
            block(
                "cid_update_follows_referral",
                f"there is no status check #{ctx.field('status_check')} on this case",
                "name the referral the IO acted on",
            )
        ]
    if check.state not in cid_update.WITH_AN_IO:
        return [
            block(
                "cid_update_follows_referral",
                f"status check #{number} is {check.state.replace('_', ' ')}, not with an IO",
                "an IO updates CID once the JOC, the ICE team or a local check hands them the "
                "offender (¶3.4, ¶3.6, ¶4.27)",
            )
        ]
    if ctx.awaiting("action_taken"):
        return []
    reported = as_list(ctx.field("action_taken"))
    blocks = [
        block(
            "cid_update_follows_referral",
            f"this record shows no {action.replace('_', ' ')} since status check #{number} began",
            "record the action on the case first; CID reports what was done (¶4.27)",
        )
        for action in cid_update.unrecorded(ctx.view, check, reported)
    ]
    if ctx.attempt.action != cid_update.WITH_PAPERS or ctx.awaiting("papers"):
        return blocks
    for paper in as_list(ctx.field("papers")):
        needs = cid_update.PAPERS.get(paper)
        if needs and needs not in reported:
            blocks.append(
                block(
                    "cid_update_follows_referral",
                    f"{paper.replace('_', ' ')} come from {needs.replace('_', ' ')}, "
                    "which this update does not report",
                    f"report {needs.replace('_', ' ')} as an action taken",
                )
            )
    return blocks
