"""Guards on immigration status (the ``leave`` lifecycle): fn 5, fn 9, ¶4.36."""

from __future__ import annotations

from datetime import timedelta

from casetracker.domain.case_view import Block
from casetracker.domain.rules import claims, eea
from casetracker.domain.rules.field_values import as_date, as_text, first_day
from casetracker.domain.rules.guard_context import GuardContext, block
from casetracker.domain.rules.status_record import lawful_on


def leave_dates_consistent(ctx: GuardContext) -> list[Block]:
    start, end = as_date(ctx.field("valid_from")), as_date(ctx.field("valid_to"))
    if start and end and end < start:
        return [
            block(
                "leave_dates_consistent",
                f"leave ends ({end}) before it starts ({start})",
                "check the dates on the visa or grant",
            )
        ]
    return []


def leave_expired(ctx: GuardContext) -> list[Block]:
    """Overstaying follows from the end date: refused while leave may still run (fn 5)."""
    leave = ctx.view.one("leave")
    valid_to = as_date(leave.fields.get("valid_to")) if leave else None
    if valid_to is None:
        return [
            block(
                "leave_expired",
                "the leave has no end date recorded",
                "record the leave with its end date first",
            )
        ]
    if first_day(ctx.attempt.effective) <= valid_to:
        return [
            block(
                "leave_expired",
                f"leave is valid until {valid_to}, not before {ctx.attempt.effective}",
                f"record the overstay as from {valid_to + timedelta(days=1)}",
            )
        ]
    return []


def eea_initial_right_ended(ctx: GuardContext) -> list[Block]:
    """No finding of 'not exercising Treaty rights' inside the initial three months (fn 9)."""
    leave = ctx.view.one("leave")
    entered = as_date(leave.fields.get("entered_on")) if leave else None
    if entered is None:
        return [
            block(
                "eea_initial_right_ended",
                "no date of entry recorded",
                "record the EEA national's entry first",
            )
        ]
    found = eea.assess(entered, first_day(ctx.attempt.effective))
    if found.status == "initial_right":
        return [
            block(
                "eea_initial_right_ended",
                found.reasons[0],
                f"wait until {found.initial_right_ends}",
            )
        ]
    return []


def finding_agrees_with_status(ctx: GuardContext) -> list[Block]:
    """A status check may not find an offender whom the status record shows lawful (fn 5, fn 9).

    The same reading refuses the finding on the status record itself, so the two cannot differ.
    """
    lawful = lawful_on(ctx.view, first_day(ctx.attempt.effective))
    if lawful is None:
        return []
    # The kind only words the remedy: a preview without it still refuses (issue 14 item 9).
    said = "" if ctx.awaiting("offender_kind") else as_text(ctx.field("offender_kind"))
    kind = said.replace("_", " ") or "an immigration offender"
    return [
        block(
            "finding_agrees_with_status",
            lawful.reason,
            f"{lawful.remedy}; only then record the subject as {kind}",
        )
    ]


def british_claim_evidence(ctx: GuardContext) -> list[Block]:
    if ctx.field("evidence") != "dva_passport_record":
        return []
    if any(c.state == "passport_record_found" for c in ctx.view.of("dva_check")):
        return []
    return [
        block(
            "british_claim_evidence",
            "no DVA check has found a passport record",
            "run a DVA check (police) or ask CCU for one (¶4.37)",
        )
    ]


def claim_granted(ctx: GuardContext) -> list[Block]:
    if claims.with_outcome(ctx.view, claims.PROTECTION, "granted"):
        return []
    return [
        block(
            "claim_granted",
            "no asylum or human-rights claim has been granted",
            "record the decision on the claim first",
        )
    ]
