"""Named guards: the domain rules an action must satisfy beyond state, role and fields.

Each guard reads the case as it stands (``GuardContext``) and returns *every* reason it refuses,
each with what would lift it; an empty list allows the action.  Guards never change anything, so
replaying history never needs them (``ActionSpec.dest`` is fixed).  Rules that span lifecycles
(DOMAIN.md, "How they constrain each other") read the other lifecycles' instances, so each fact is
recorded once.  A guard's name is its function's name and the ``rule`` of the blocks it returns.
"""

from __future__ import annotations

from casetracker.domain.rules import (
    guards_custody,
    guards_high_harm,
    guards_io_work,
    guards_removal,
    guards_status,
    nationality,
)
from casetracker.domain.rules.guard_context import Guard, GuardContext

__all__ = ["GUARDS", "Guard", "GuardContext"]

GUARDS: dict[str, Guard] = {
    guard.__name__: guard
    for guard in (
        guards_status.leave_dates_consistent,
        guards_status.leave_expired,
        guards_status.eea_initial_right_ended,
        guards_status.finding_agrees_with_status,
        guards_status.british_claim_evidence,
        guards_status.claim_granted,
        guards_custody.known_force,
        guards_custody.pace_extension_allowed,
        guards_custody.arrest_in_progress,
        guards_custody.police_custody_ended,
        guards_custody.referred_encounter_exists,
        guards_custody.status_check_runner,
        guards_custody.listed_absconder,
        guards_custody.onward_referral_region,
        guards_high_harm.high_harm_met,
        guards_high_harm.police_high_harm_referral,
        guards_high_harm.police_high_harm_met,
        guards_custody.hosol_classification,
        guards_custody.dva_reasonable_doubt,
        nationality.nationality_kept_apart,
        guards_io_work.sweep_finds_unreferred,
        guards_io_work.transfer_to_central_suite,
        guards_io_work.cid_update_follows_referral,
        guards_removal.removal_basis_matches_status,
        guards_removal.deportation_grounds,
        guards_removal.own_acro_check_first,
        guards_removal.no_pending_protection_claim,
        guards_removal.appeals_allow_removal,
        guards_removal.decision_fits_barrier,
        guards_removal.no_pending_judicial_review,
        guards_removal.removal_date_not_past,
        guards_removal.judicial_review_lodged,
        guards_removal.directions_in_force,
        guards_removal.travel_document_held,
        guards_removal.removal_completed,
        guards_removal.reencounter_follows_listing,
        guards_removal.halting_claim_lodged,
    )
}
