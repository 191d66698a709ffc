"""The report's two case studies as ordered steps, replayed by the demo database, the trainer's
scenarios and the tests through the engine and the rules.

Each step: ``effective`` (canonical effective-time text at the precision the report gives),
``role``, ``workflow``, ``instance`` ("new" starts one; 0 is a single-instance lifecycle; n is the
n-th instance started on this case), ``action`` and ``fields``.  Steps keep the report's order,
including Figure 1's human-rights claim that the report dates 11 May 2016 but lists among the
entries of May 2014.  Steps the report implies but does not date carry a range (the sentence
served before 16 Oct 2013, the missed ETD interview of 2014, Figure 2's frustrated attempts).
Personal fields hold obviously synthetic values.
"""

from __future__ import annotations

from typing import Any

Step = dict[str, Any]

SYNTHETIC_NATIONALITY = "Synthland (synthetic)"
SYNTHETIC_HIGH_COMMISSION = "High Commission of Synthland (synthetic)"


def _step(
    effective: str,
    role: str,
    workflow: str,
    instance: str | int,
    action: str,
    **fields: Any,
) -> Step:
    return {
        "effective": effective,
        "role": role,
        "workflow": workflow,
        "instance": instance,
        "action": action,
        "fields": fields,
    }


def _arrest(day: str, encounter: int, offence: str, category: str) -> list[Step]:
    """An MPS arrest and booking in (Figure 1 has five)."""
    return [
        _step(
            day,
            "police",
            "encounter",
            "new",
            "arrest",
            offence=offence,
            offence_category=category,
            force="MPS",
        ),
        _step(day, "police", "detention", 0, "enter_police_custody"),
        _step(
            day,
            "police",
            "encounter",
            encounter,
            "record_nationality",
            nationality=SYNTHETIC_NATIONALITY,
            nationality_group="non_eea",
            nationality_basis="claimed",
        ),
    ]


def _ccu_check(day: str, check: int, encounter: int, result: str, **fields: Any) -> list[Step]:
    """A CCU referral, its CID check and result, and the onward referral to the JOC (¶3.4)."""
    return [
        _step(day, "police", "status_check", "new", "refer_to_ccu", encounter=encounter),
        _step(day, "ccu", "status_check", check, "check_cid"),
        _step(day, "ccu", "status_check", check, result, **fields),
        _step(day, "ccu", "status_check", check, "refer_to_joc"),
    ]


IO = "immigration_officer"

FIGURE_1: list[Step] = [
    _step(
        "2010-12",
        IO,
        "leave",
        0,
        "record_leave",
        leave_type="family_visitor",
        valid_from="2010-11-16",
        valid_to="2011-05-16",
    ),
    _step("2011-05-17", IO, "leave", 0, "record_overstay", working_illegally=True),
    # 16 Jul 2013: false instrument; remanded; referred to CCU.
    *_arrest("2013-07-16", 1, "possession of a false instrument", "fraud_or_forgery"),
    _step("2013-07-16", "police", "encounter", 1, "charge"),
    _step("2013-07-16", "police", "encounter", 1, "remand"),
    _step("2013-07-16", "police", "detention", 0, "enter_prison", basis="remand"),
    *_ccu_check("2013-07-16", 1, 1, "record_immigration_offender", offender_kind="overstayer"),
    _step(
        "2013-07-16/2013-10-16",
        "police",
        "encounter",
        1,
        "convict",
        conviction_category="fraud_or_forgery",
        sentence="custodial",
    ),
    _step("2013-07-23", IO, "removal", 0, "serve_removal_papers", basis="overstayer"),
    # 4 Oct 2013: ETD interview in prison, halted by an asylum claim.
    _step("2013-10-04", IO, "etd", 0, "record_etd_needed"),
    _step("2013-10-04", IO, "barrier", "new", "lodge_claim", kind="asylum"),
    _step("2013-10-04", IO, "etd", 0, "halt_etd_interview", halted_by="asylum_claim"),
    _step("2013-10-16", "casework", "encounter", 1, "complete_sentence"),
    _step("2013-10-16", IO, "detention", 0, "detain_under_immigration_powers"),
    _step("2013-11-19", IO, "detention", 0, "release_on_reporting_restrictions"),
    _step("2013-11-19", IO, "reporting", 0, "issue_reporting_directions"),
    _step("2014-04-15", "casework", "barrier", 1, "refuse_claim"),
    _step("2014-04-18", IO, "reporting", 0, "record_missed_reporting"),
    _step("2014-05-01", IO, "reporting", 0, "list_as_absconder"),
    # Dated 11 May 2016 by the report, listed here: accepted, kept in order, flagged.
    _step("2016-05-11", IO, "barrier", "new", "lodge_claim", kind="human_rights"),
    # 22 May 2014: fare evasion; CCU check; new reporting directions and an ETD interview date.
    *_arrest("2014-05-22", 2, "fare evasion", "fare_evasion"),
    *_ccu_check("2014-05-22", 2, 2, "record_known_absconder"),
    _step("2014-05-22", IO, "reporting", 0, "reencounter"),
    _step("2014-05-22", IO, "reporting", 0, "issue_reporting_directions"),
    _step("2014-05-22", IO, "etd", 0, "schedule_etd_interview"),
    _step("2014-05-22", "police", "encounter", 2, "release_without_charge"),
    _step("2014-05-22", IO, "detention", 0, "release_on_reporting_restrictions"),
    _step("2014-05-22/2014-06-19", IO, "reporting", 0, "record_missed_reporting"),
    _step("2014-05-22/2014-06-19", IO, "etd", 0, "record_etd_interview_missed"),
    _step("2014-06-19", IO, "reporting", 0, "list_as_absconder"),
    # 6 Nov 2015: cannabis; CCU check; ran away.
    *_arrest("2015-11-06", 3, "possession of cannabis", "drugs_possession"),
    *_ccu_check("2015-11-06", 3, 3, "record_known_absconder"),
    _step("2015-11-06", IO, "reporting", 0, "reencounter"),
    _step("2015-11-06/2015-11-07", "police", "encounter", 3, "escape_custody"),
    _step(
        "2015-11-06/2015-11-07", "police", "detention", 0, "release_to_liberty", reason="escaped"
    ),
    # 7 Nov 2015: re-arrested; CCU check; further reporting directions.
    *_arrest("2015-11-07", 4, "possession of cannabis", "drugs_possession"),
    *_ccu_check("2015-11-07", 4, 4, "record_known_absconder"),
    _step("2015-11-07", IO, "reporting", 0, "issue_reporting_directions"),
    _step("2015-11-07", "police", "encounter", 4, "release_without_charge"),
    _step("2015-11-07", IO, "detention", 0, "release_on_reporting_restrictions"),
    # 7 May 2016: cannabis; CCU check; the Home Office asks the police to hold him.
    *_arrest("2016-05-07", 5, "possession of cannabis", "drugs_possession"),
    *_ccu_check("2016-05-07", 5, 5, "record_immigration_offender", offender_kind="overstayer"),
    _step("2016-05-07", "joc", "status_check", 5, "pass_to_io"),
    _step("2016-05-07", IO, "encounter", 5, "request_immigration_hold"),
    _step("2016-05-08", "police", "encounter", 5, "hand_to_immigration"),
    _step("2016-05-08", IO, "detention", 0, "detain_under_immigration_powers"),
    _step("2016-05-26", "casework", "barrier", 2, "refuse_claim"),
    _step(
        "2016-05-31",
        IO,
        "barrier",
        "new",
        "lodge_claim",
        kind="pre_action_protocol",
        against="removal",
    ),
    _step("2016-06-02", IO, "etd", 0, "complete_etd_interview"),
    _step("2016-06-02", IO, "removal", 0, "set_removal_directions", removal_date="2016-06-26"),
    _step(
        "2016-06-24",
        IO,
        "barrier",
        "new",
        "lodge_claim",
        kind="judicial_review",
        against="removal_directions",
    ),
    _step("2016-06-24", IO, "removal", 0, "defer_removal_directions", reason="judicial_review"),
]

FIGURE_2: list[Step] = [
    _step(
        "2011-11-08",
        IO,
        "leave",
        0,
        "record_leave",
        leave_type="student",
        valid_to="2012-04-11",
        port_of_entry="London Heathrow",
    ),
    _step("2012-04-12", IO, "leave", 0, "record_overstay"),
    # 21 Jun 2015: domestic dispute (no further action); arrested on suspicion of being here
    # illegally; CCU; interviewed by ICE; admitted overstaying; notice of removal; detained.
    _step(
        "2015-06-21",
        "police",
        "encounter",
        "new",
        "arrest_for_immigration_offence",
        force="WMP",
        encounter_context="domestic dispute call; no further action on it",
    ),
    _step("2015-06-21", "police", "detention", 0, "enter_police_custody"),
    _step(
        "2015-06-21",
        "police",
        "encounter",
        1,
        "record_nationality",
        nationality=SYNTHETIC_NATIONALITY,
        nationality_group="non_eea",
        nationality_basis="claimed",
    ),
    _step("2015-06-21", "police", "status_check", "new", "refer_to_ccu", encounter=1),
    _step("2015-06-21", "ccu", "status_check", 1, "check_cid"),
    _step(
        "2015-06-21",
        "ccu",
        "status_check",
        1,
        "record_immigration_offender",
        offender_kind="overstayer",
    ),
    _step("2015-06-21", "ccu", "status_check", 1, "refer_to_ice_team"),
    _step("2015-06-21", IO, "encounter", 1, "record_seen_by_io", admitted_immigration_offence=True),
    _step("2015-06-21", IO, "removal", 0, "serve_removal_papers", basis="overstayer"),
    _step("2015-06-21", "police", "encounter", 1, "hand_to_immigration"),
    _step("2015-06-21", IO, "detention", 0, "detain_under_immigration_powers"),
    _step("2015-06-26", IO, "etd", 0, "record_etd_needed"),
    _step("2015-06-26", IO, "etd", 0, "apply_for_etd", high_commission=SYNTHETIC_HIGH_COMMISSION),
    _step("2015-07-03", IO, "etd", 0, "record_etd_issued"),
    # Two unescorted attempts, frustrated, on dates the report does not give.
    _step("2015-07-03/2015-10-05", IO, "removal", 0, "set_removal_directions", escorted=False),
    _step("2015-07-03/2015-10-05", IO, "removal", 0, "record_frustrated_removal", escorted=False),
    _step("2015-07-03/2015-10-05", IO, "removal", 0, "set_removal_directions", escorted=False),
    _step("2015-07-03/2015-10-05", IO, "removal", 0, "record_frustrated_removal", escorted=False),
    _step("2015-07-03/2015-10-05", IO, "removal", 0, "set_removal_directions", escorted=True),
    _step("2015-10-05", IO, "removal", 0, "remove", escorted=True),
    _step("2015-10-05", IO, "detention", 0, "mark_removed"),
]

# Where each figure ends (DOMAIN.md): instance key -> state.
FIGURE_1_ENDS = {
    "detention": "immigration_detention",
    "removal": "deferred",
    "reporting": "directions_issued",
    "etd": "interviewed",
    "leave": "overstayer",
    "barrier#4": "lodged",
}
FIGURE_2_ENDS = {
    "detention": "removed",
    "removal": "removed",
    "etd": "issued",
    "leave": "overstayer",
    "encounter#1": "handed_to_immigration",
}
