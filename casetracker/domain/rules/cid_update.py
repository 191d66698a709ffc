"""The IO's record-keeping after a referral: updating CID and serving the papers it produces.

IOs update CID with whatever they did as a result of a CCU referral, and CID generates the
paperwork the person is given, such as written instructions to report when they leave police
custody (¶4.27).  Each update names the referral (the status check) it follows and the actions
it reports; a report of an action the case does not record is refused, so CID and this record
cannot say different things.  Which referrals still await an update, and which papers still
await serving, is derived here for the IO's queue.
"""

from __future__ import annotations

from casetracker.domain.case_view import CaseView, Instance
from casetracker.domain.rules.field_values import as_list, as_text

# Status-check states in which an IO holds an offender's referral: passed on by the JOC
# (¶3.4–3.5), referred to the local ICE team (¶3.6) or taken up by the IO who ran it locally.
WITH_AN_IO = ("passed_to_io", "referred_to_ice_team", "taken_up_locally")

# What a CID update may report, and the steps of this record that show it was done (any one).
CID_ACTIONS: dict[str, tuple[str, ...]] = {
    "seen_in_custody": ("record_seen_by_io",),
    "reporting_directions": ("issue_reporting_directions",),
    "removal_papers": ("serve_removal_papers",),
    "immigration_detention": ("detain_under_immigration_powers", "hand_to_immigration"),
    "no_further_immigration_action": (),
}
# The papers CID produces for the IO to serve: the report names written reporting instructions
# (¶4.27); each needs the action that produces it among the actions the update reports.
PAPERS: dict[str, str] = {"reporting_instructions": "reporting_directions"}
WITH_PAPERS = "update_cid_with_papers"  # the update that leaves papers to serve


def unrecorded(view: CaseView, check: Instance, reported: list[str]) -> list[str]:
    """The reported actions that no step of the case recorded since the referral began."""
    since = check.started.seq if check.started else 0
    done = {step.action for _, step in view.steps if step.seq >= since}
    return [
        action
        for action in reported
        if CID_ACTIONS.get(action) and not done.intersection(CID_ACTIONS[action])
    ]


def updates_of(view: CaseView, check_number: int) -> list[Instance]:
    """The CID updates that name a status check, oldest first."""
    return [
        update
        for update in view.of("cid_update")
        if as_text(update.fields.get("status_check")) == str(check_number)
    ]


def awaiting_update(view: CaseView) -> list[Instance]:
    """Status checks an IO holds with no CID update yet (¶4.27)."""
    return [
        check
        for check in view.of("status_check")
        if check.state in WITH_AN_IO and not updates_of(view, check.number)
    ]


def papers_named(update: Instance) -> str:
    """The papers an update produced, in words."""
    return ", ".join(p.replace("_", " ") for p in as_list(update.fields.get("papers")))
