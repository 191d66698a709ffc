"""Guards on removal, travel documents and reporting: the cross-lifecycle rules of the case
studies (Figure 1 comments, Figure 2, ¶4.32)."""

from __future__ import annotations

from casetracker.domain.case_view import Block
from casetracker.domain.rules import claims, deportation, hosol
from casetracker.domain.rules.field_values import as_date, as_text, first_day
from casetracker.domain.rules.guard_context import GuardContext, block
from casetracker.domain.rules.status_record import lawful_on
from casetracker.domain.rules.travel_document import travel_document

_STATUS_FOR_BASIS = {
    "overstayer": "overstayer",
    "illegal_entrant": "illegal_entrant",
    "eea_not_exercising_treaty_rights": "eea_not_exercising",
}


def removal_basis_matches_status(ctx: GuardContext) -> list[Block]:
    """Papers are served on an immigration offender of the kind they name (fn 5, fn 9).

    A status check's finding counts only while the status record agrees: leave granted or an EEA
    national's initial right since the check outweighs it.
    """
    lawful = lawful_on(ctx.view, first_day(ctx.attempt.effective))
    if lawful is not None:  # whatever the basis: a preview says so before the form is filled
        return [block("removal_basis_matches_status", lawful.reason, lawful.remedy)]
    if ctx.awaiting("basis"):
        return []
    basis = as_text(ctx.field("basis"))
    leave = ctx.view.one("leave")
    if leave is not None and leave.state == _STATUS_FOR_BASIS.get(basis):
        return []
    found_by_check = any(
        c.fields.get("offender_kind") == basis
        for c in ctx.view.of("status_check")
        if c.first("record_immigration_offender") is not None
    )
    if found_by_check:
        return []
    status = leave.state.replace("_", " ") if leave else "unknown"
    return [
        block(
            "removal_basis_matches_status",
            f"the record does not show the subject as {basis.replace('_', ' ')} "
            f"(immigration status: {status})",
            "record the immigration status or the status check result first",
        )
    ]


def deportation_grounds(ctx: GuardContext) -> list[Block]:
    """Deportation needs a HOSOL result referred to Criminal Casework or a UK sentence meeting
    the deportation criteria (¶4.32, fn 19)."""
    if deportation.deportation_grounds(ctx.view):
        return []
    return [
        block(
            "deportation_grounds",
            "no Serious Offence List result has been referred to Criminal Casework (¶4.32) and "
            f"no UK custodial sentence of {deportation.DEPORTATION_SENTENCE_MONTHS} months or "
            "more is recorded (fn 19)",
            "serve removal papers instead, if liable",
        )
    ]


def own_acro_check_first(ctx: GuardContext) -> list[Block]:
    """A decision resting on an overseas conviction needs Immigration Enforcement's own ACRO
    check first: the police's result is theirs, whoever may see it (¶4.34–4.35, fn 20)."""
    relied_on = deportation.overseas_grounds_without_own_check(ctx.view)
    if not relied_on:
        return []
    numbers = ", ".join(f"#{c.number}" for c in relied_on)
    own = [c for c in ctx.view.of("acro_check") if hosol.is_home_office_check(c)]
    states = ", ".join(f"#{c.number} is {c.state.replace('_', ' ')}" for c in own)
    found = f"; its own check {states}" if own else ""
    return [
        block(
            "own_acro_check_first",
            f"the decision would rest on an overseas conviction from the police's ACRO check "
            f"{numbers}; Immigration Enforcement must have its own ACRO check before acting on "
            f"it (¶4.35, fn 20){found}",
            "request_immigration_acro_check, then record the result it returns",
        )
    ]


def no_pending_protection_claim(ctx: GuardContext) -> list[Block]:
    """Undecided asylum and human-rights claims block; pre-action letters do not (Figure 1)."""
    return [
        block(
            "no_pending_protection_claim",
            f"{claims.describe(c)} is undecided",
            "wait for the claim to be decided",
        )
        for c in claims.undecided(ctx.view, claims.PROTECTION)
    ]


def appeals_allow_removal(ctx: GuardContext) -> list[Block]:
    """An undecided appeal blocks removal; an allowed one keeps blocking until liability is
    decided again (papers served or a deportation decision taken after the tribunal's decision).
    """
    blocks = [
        block(
            "appeals_allow_removal",
            f"{claims.describe(c)} is undecided",
            "wait for the tribunal to decide the appeal",
        )
        for c in claims.undecided(ctx.view, frozenset({claims.APPEAL}))
    ]
    removal = ctx.view.one("removal")
    liability = [removal.last(a) for a in _LIABILITY] if removal else []
    since = max((step.seq for step in liability if step is not None), default=0)
    blocks.extend(
        block(
            "appeals_allow_removal",
            f"{claims.describe(c)} was allowed by the tribunal on {decided.effective.display()}",
            "withdraw liability to removal, then decide it afresh if there are new grounds",
        )
        for c, decided in claims.allowed_appeals_since(ctx.view, since)
    )
    return blocks


_LIABILITY = ("serve_removal_papers", "make_deportation_decision")
_APPEAL_DECISIONS = ("dismiss_appeal", "allow_appeal")


def decision_fits_barrier(ctx: GuardContext) -> list[Block]:
    """A tribunal decides appeals; claims and challenges are refused or granted."""
    target = ctx.target
    if target is None:
        return []
    is_appeal = claims.kind(target) == claims.APPEAL
    if is_appeal == (ctx.attempt.action in _APPEAL_DECISIONS):
        return []
    if is_appeal:
        return [
            block(
                "decision_fits_barrier",
                f"{claims.describe(target)} is an appeal",
                "record the tribunal's decision (dismiss_appeal or allow_appeal)",
            )
        ]
    return [
        block(
            "decision_fits_barrier",
            f"{claims.describe(target)} is not an appeal",
            "record the decision on the claim (refuse_claim or grant_claim)",
        )
    ]


def no_pending_judicial_review(ctx: GuardContext) -> list[Block]:
    return [
        block(
            "no_pending_judicial_review",
            f"{claims.describe(c)} is undecided",
            "wait for the judicial review to be decided",
        )
        for c in claims.undecided(ctx.view, frozenset({claims.JUDICIAL_REVIEW}))
    ]


def removal_date_not_past(ctx: GuardContext) -> list[Block]:
    removal_date = as_date(ctx.field("removal_date"))
    set_on = first_day(ctx.attempt.effective)
    if removal_date is not None and removal_date < set_on:
        return [
            block(
                "removal_date_not_past",
                f"removal date {removal_date} is before the day the directions are set ({set_on})",
                "choose a removal date on or after the day the directions are set",
            )
        ]
    return []


def judicial_review_lodged(ctx: GuardContext) -> list[Block]:
    if ctx.field("reason") != claims.JUDICIAL_REVIEW:
        return []
    if claims.undecided(ctx.view, frozenset({claims.JUDICIAL_REVIEW})):
        return []
    return [
        block(
            "judicial_review_lodged",
            "no undecided judicial review is recorded",
            "record the judicial review first (lodge_claim kind=judicial_review)",
        )
    ]


def directions_in_force(ctx: GuardContext) -> list[Block]:
    """A judicial review lodged after the directions defers them (Figure 1, 24 Jun 2016)."""
    removal = ctx.view.one("removal")
    directions = removal.last("set_removal_directions") if removal else None
    if directions is None:
        return []
    when = as_text(directions.fields.get("removal_date")) or directions.effective.display()
    return [
        block(
            "directions_in_force",
            f"directions for {when} deferred by {claims.describe(c)}",
            "wait for the judicial review to be decided",
        )
        for c in claims.challenges_to(ctx.view, directions)
    ]


def travel_document_held(ctx: GuardContext) -> list[Block]:
    found = travel_document(ctx.view, first_day(ctx.attempt.effective))
    return [] if found.held else [block("travel_document_held", found.reason, found.remedy)]


def removal_completed(ctx: GuardContext) -> list[Block]:
    removal = ctx.view.one("removal")
    if removal is not None and removal.state == "removed":
        return []
    return [
        block(
            "removal_completed",
            "no removal has been carried out",
            "record the removal first (remove)",
        )
    ]


def reencounter_follows_listing(ctx: GuardContext) -> list[Block]:
    reporting = ctx.view.one("reporting")
    listing = reporting.last("list_as_absconder") if reporting else None
    if listing is None:
        return []
    later = [e for e in ctx.view.of("encounter") if e.started and e.started.seq > listing.seq]
    if later:
        return []
    return [
        block(
            "reencounter_follows_listing",
            f"no arrest recorded since the listing of {listing.effective.display()}",
            "record the arrest (encounter) first",
        )
    ]


_CLAIM_FOR_HALT = {"asylum_claim": "asylum", "human_rights_claim": "human_rights"}


def halting_claim_lodged(ctx: GuardContext) -> list[Block]:
    kind = _CLAIM_FOR_HALT.get(as_text(ctx.field("halted_by")))
    if kind is None or claims.undecided(ctx.view, frozenset({kind})):
        return []
    label = claims.KIND_LABELS[kind]
    return [
        block(
            "halting_claim_lodged",
            f"no undecided {label} is recorded",
            f"record the {label} first (lodge_claim)",
        )
    ]
