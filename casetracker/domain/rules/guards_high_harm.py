"""Guards on who refers a High Harm case, and where (¶3.4, ¶3.6, fn 8).

In London the Nexus JOC assesses cases referred by CCU against the High Harm criteria (¶3.4);
elsewhere the police, finding a High Harm case through their own checks of previous convictions,
refer it to the Home Office themselves (¶3.6).
"""

from __future__ import annotations

from casetracker.domain.case_view import Block
from casetracker.domain.rules import high_harm
from casetracker.domain.rules.guard_context import GuardContext, as_int, block, unknown_force


def police_high_harm_referral(ctx: GuardContext) -> list[Block]:
    check = ctx.target
    if check is None:
        return []
    force = ctx.encounter_force(check.fields.get("encounter"))
    if force is None:
        return unknown_force("police_high_harm_referral")
    if force.in_london:
        return [
            block(
                "police_high_harm_referral",
                f"{force.name} is in London, where the Nexus JOC assesses High Harm (¶3.4)",
                "refer to CCU; CCU passes offenders to the JOC",
            )
        ]
    return []


def high_harm_met(ctx: GuardContext) -> list[Block]:
    """The Home Office's assessment, on results it may act on (¶3.4, fn 8, fn 20)."""
    return _threshold(
        ctx,
        "high_harm_met",
        by_police=False,
        reason="High Harm threshold not met: no arrest or conviction for a listed offence "
        "and fewer than three robbery or burglary convictions (fn 8)",
        remedy="pass the case to an immigration officer instead",
    )


def police_high_harm_met(ctx: GuardContext) -> list[Block]:
    """The police's own assessment, counting their own ACRO results (¶3.6, ¶4.33–4.34)."""
    return _threshold(
        ctx,
        "police_high_harm_met",
        by_police=True,
        reason="High Harm threshold not met: no arrest on this occasion or previous conviction "
        "for a listed offence and fewer than three robbery or burglary convictions (fn 8)",
        remedy="leave the case to the local ICE team",
    )


def _threshold(
    ctx: GuardContext, rule: str, by_police: bool, reason: str, remedy: str
) -> list[Block]:
    """One assessment of the status check's encounter against fn 8, by whoever refers it."""
    check = ctx.target
    encounter = as_int(check.fields.get("encounter")) if check else None
    if high_harm.assess(ctx.view, encounter, by_police=by_police).met:
        return []
    return [block(rule, reason, remedy)]
