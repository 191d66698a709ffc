"""The lifecycles written out by hand from DOMAIN.md and the 2016 inspection report.

This table is the tests' own statement of the rules, kept apart from ``workflows/`` on purpose:
the engine reads the definitions, so checking the engine against the definitions proves only that
it reads them.  Each row is (action, the states it may fire from, the state it leads to, the roles
who may take it), with the report paragraph, figure or footnote it rests on.  Where the report is
silent the row says "report silent" and records the project's choice, so a change to it is a
visible decision and not an accident.

Rows in ``DISPUTED`` are where this reading of DOMAIN.md and the definitions disagree; they are
tested to still disagree (``test_lifecycle_table``) rather than "fixed" on either side.
"""

from __future__ import annotations

from typing import NamedTuple

from casetracker.domain.vocabulary import NEW, Role

POLICE, CCU, JOC = Role.POLICE, Role.CCU, Role.JOC
IO, CASEWORK, ADMIN = Role.IMMIGRATION_OFFICER, Role.CASEWORK, Role.ADMIN
HOME_OFFICE = (IO, CASEWORK)  # the IO acting, or casework on the file (DOMAIN.md "Who acts")
STATUS_FINDERS = (CCU, IO, CASEWORK)  # who may record a finding on immigration status (¶4.27)
EVERY_WORKER = (POLICE, CCU, IO, JOC, CASEWORK, ADMIN)  # all but the read-only and sandbox roles


class Row(NamedTuple):
    action: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[Role, ...]
    cite: str


class Lifecycle(NamedTuple):
    states: tuple[str, ...]
    initial: str  # NEW for a lifecycle with any number of instances per case
    rows: tuple[Row, ...]

    @property
    def many(self) -> bool:
        return self.initial == NEW


# A case is one person, opened once and kept for years (DOMAIN.md "Lifecycles"; Figure 1: five
# arrests in three years).  Opening, notes, closing and erasure are record-keeping: report silent.
CASE = Lifecycle(
    ("none", "open", "closed", "erased"),
    "none",
    (
        Row("open_case", ("none",), "open", EVERY_WORKER, "Figure 1: one record per person"),
        Row("correct_subject", ("open", "closed"), "open", EVERY_WORKER, "report silent"),
        Row("erase_subject", ("open", "closed"), "erased", (ADMIN,), "report silent"),
        Row("add_note", ("open",), "open", EVERY_WORKER, "report silent"),
        Row("close_case", ("open",), "closed", (IO, CASEWORK, ADMIN), "report silent"),
    ),
)

# 1. Immigration status (DOMAIN.md): leave granted → expired (overstayer) · illegal entrant ·
# EEA initial right then qualified or not (fn 9) · claimed British, verified or not (¶4.36) ·
# leave granted after a claim.  Findings are the Home Office's (¶4.27); police record the claim
# they hear in custody (¶4.1) and may verify it through DVA (¶4.37).
_BEFORE_LEAVE = ("unknown", "british_claim_unverified", "overstayer", "illegal_entrant")
LEAVE = Lifecycle(
    (
        "unknown", "leave_granted", "leave_granted_on_claim", "overstayer", "illegal_entrant",
        "eea_initial_right", "eea_qualified", "eea_not_exercising", "british_claimed",
        "british_claim_unverified", "british_verified",
    ),
    "unknown",
    (
        # Figure 1 (visitor visa 16 Nov 2010 – 16 May 2011), Figure 2 (student visa to 11 Apr 2012);
        # a fresh grant may follow any adverse finding or renew current leave.
        Row("record_leave", (*_BEFORE_LEAVE, "eea_not_exercising", "leave_granted"),
            "leave_granted", STATUS_FINDERS, "Figure 1, Figure 2"),
        # Overstaying is leave that ran out (fn 5), whether it came from a grant or a claim.
        Row("record_overstay", ("leave_granted", "leave_granted_on_claim"), "overstayer",
            STATUS_FINDERS, "fn 5, Figure 1"),
        Row("record_illegal_entry", _BEFORE_LEAVE[:3], "illegal_entrant", STATUS_FINDERS,
            "fn 5, fn 11"),
        Row("record_eea_entry", ("unknown", "british_claim_unverified"), "eea_initial_right",
            STATUS_FINDERS, "fn 9, ¶4.1"),
        Row("record_treaty_rights", ("eea_initial_right", "eea_not_exercising", "eea_qualified"),
            "eea_qualified", STATUS_FINDERS, "fn 9"),
        Row("record_not_exercising_treaty_rights", ("eea_initial_right", "eea_qualified"),
            "eea_not_exercising", STATUS_FINDERS, "fn 9, ¶4.2"),
        # ¶4.1: some claim to be UK citizens to evade checks; ¶4.2: police check doubtful claims.
        Row("record_british_claim", ("unknown",), "british_claimed", (POLICE, *STATUS_FINDERS),
            "¶4.1, ¶4.2"),
        Row("verify_british_citizenship", ("british_claimed",), "british_verified",
            (POLICE, *STATUS_FINDERS), "¶4.36, fn 10"),
        Row("reject_british_claim", ("british_claimed",), "british_claim_unverified",
            (POLICE, *STATUS_FINDERS), "¶4.1, ¶4.36"),
        # A claim granted (DOMAIN.md lifecycle 8) is decided by the Home Office, not by CCU.
        Row("grant_leave_on_claim",
            (*_BEFORE_LEAVE, "eea_not_exercising", "leave_granted", "eea_initial_right"),
            "leave_granted_on_claim", HOME_OFFICE, "DOMAIN.md lifecycle 1, Figure 1 comments"),
    ),
)  # fmt: skip

# 2. Encounter / arrest, one per arrest (DOMAIN.md; ¶3.3, ¶4.21–4.22, fn 17).  The police arrest,
# detain, bail and release; the IO sees the person in custody; criminal justice that follows is
# recorded by whoever learns of it.
_JUSTICE = (POLICE, IO, CASEWORK)
ENCOUNTER = Lifecycle(
    (
        "in_custody", "on_bail", "charged", "remanded", "awaiting_trial", "convicted",
        "sentence_completed", "acquitted", "no_further_action", "released",
        "handed_to_immigration", "ran_away",
    ),
    NEW,
    (
        Row("arrest", (NEW,), "in_custody", (POLICE,), "¶3.3, ¶4.25"),
        Row("arrest_for_immigration_offence", (NEW,), "in_custody", (POLICE,), "fn 5, Figure 2"),
        Row("record_nationality", ("in_custody",), "in_custody", (POLICE, IO), "¶4.1–4.6"),
        Row("record_seen_by_io", ("in_custody",), "in_custody", (IO,), "¶4.21–4.23"),
        # IOs check custody lists for foreign nationals nobody referred (¶3.5, ¶4.3, ¶4.5);
        # the police take offenders to the suites where IOs work (¶4.13, ¶4.16, ¶4.19).
        Row("record_found_in_custody_sweep", ("in_custody",), "in_custody", (IO,),
            "¶3.5, ¶4.3, ¶4.5, ¶4.12"),
        Row("transfer_to_suite", ("in_custody",), "in_custody", (POLICE,),
            "¶4.13, ¶4.16, ¶4.19"),
        # Figure 1, 7 May 2016: the Home Office asked the police to hold him (CCU, JOC or an IO).
        Row("request_immigration_hold", ("in_custody",), "in_custody", (IO, JOC, CCU),
            "Figure 1 (7 May 2016)"),
        Row("extend_detention", ("in_custody",), "in_custody", (POLICE,), "fn 17 (+12 h)"),
        Row("bail", ("in_custody",), "on_bail", (POLICE,), "fn 17 (clock paused)"),
        Row("rearrest", ("on_bail",), "in_custody", (POLICE,), "fn 17 (clock restarts)"),
        Row("take_no_further_action", ("in_custody", "on_bail"), "no_further_action", (POLICE,),
            "¶4.22, Figure 2"),
        Row("release_without_charge", ("in_custody",), "released", (POLICE,), "¶4.21–4.22"),
        Row("hand_to_immigration", ("in_custody",), "handed_to_immigration", (POLICE, IO),
            "¶3.2, Figure 1 (8 May 2016), Figure 2"),
        Row("escape_custody", ("in_custody",), "ran_away", (POLICE,), "Figure 1 (6–7 Nov 2015)"),
        Row("charge", ("in_custody",), "charged", (POLICE,), "fn 17"),
        Row("remand", ("charged",), "remanded", _JUSTICE, "Figure 1 (16 Jul 2013)"),
        Row("bail_to_court", ("charged",), "awaiting_trial", (POLICE,), "¶4.22 (court next day)"),
        Row("convict", ("remanded", "awaiting_trial"), "convicted", _JUSTICE, "fn 8, Figure 1"),
        Row("acquit", ("remanded", "awaiting_trial"), "acquitted", _JUSTICE, "report silent"),
        Row("complete_sentence", ("convicted",), "sentence_completed", _JUSTICE,
            "Figure 1 (16 Oct 2013)"),
    ),
)  # fmt: skip

# 3. Status check, one per referral (DOMAIN.md; ¶3.3–3.6, ¶4.7–4.12, ¶4.27).  Police refer, or
# an IO asked locally refers on (¶3.6); CCU or an IO where local practice allows checks CID
# (¶4.27); CCU refers offenders on, to the JOC in London (¶3.4) or the ICE team elsewhere (¶3.6);
# the JOC passes cases to an IO and assesses them against High Harm (¶3.4).
_REFERRERS = (POLICE, IO)
_CHECKERS = (CCU, IO)
_OFFENDER = ("immigration_offender", "known_absconder")
STATUS_CHECK = Lifecycle(
    (
        "requested", "cid_checked", "no_trace", "lawful_status", "known_absconder",
        "immigration_offender", "referred_to_joc", "referred_to_ice_team", "taken_up_locally",
        "passed_to_io", "referred_to_high_harm_team",
    ),
    NEW,
    (
        Row("refer_to_ccu", (NEW,), "requested", _REFERRERS, "¶3.3, ¶3.6, ¶4.7"),
        Row("refer_to_local_io", (NEW,), "requested", _REFERRERS, "¶4.10–4.11"),
        Row("refer_to_local_ice_office", (NEW,), "requested", _REFERRERS, "¶3.2, ¶4.11"),
        Row("check_cid", ("requested",), "cid_checked", _CHECKERS, "¶4.27–4.28"),
        Row("record_no_trace", ("cid_checked",), "no_trace", _CHECKERS, "DOMAIN.md lifecycle 3"),
        Row("record_lawful_status", ("cid_checked",), "lawful_status", _CHECKERS, "¶3.3"),
        Row("record_known_absconder", ("cid_checked",), "known_absconder", _CHECKERS,
            "Figure 1 (22 May 2014)"),
        Row("record_immigration_offender", ("cid_checked",), "immigration_offender", _CHECKERS,
            "¶3.4, fn 5, fn 9"),
        Row("refer_to_joc", _OFFENDER, "referred_to_joc", (CCU,), "¶3.4"),
        Row("refer_to_ice_team", _OFFENDER, "referred_to_ice_team", (CCU,), "¶3.6"),
        Row("take_up_locally", _OFFENDER, "taken_up_locally", (IO,), "¶4.10–4.11"),
        Row("pass_to_io", ("referred_to_joc",), "passed_to_io", (JOC,), "¶3.4–3.5"),
        # ¶3.4 has the JOC "also" assess cases against High Harm, and DOMAIN.md ("Read closely")
        # says a High Harm referral and an IO's action can both happen: passing to an IO first
        # does not stop the referral.
        Row("refer_to_high_harm_team", ("referred_to_joc", "passed_to_io"),
            "referred_to_high_harm_team", (JOC,), "¶3.4, fn 8, DOMAIN.md 'Read closely'"),
        # Outside London the police refer High Harm cases themselves, from their own checks of
        # previous convictions (¶3.6); at which point of the check: report silent (any before
        # the case is closed by the IO).
        Row("police_refer_to_high_harm_team",
            ("requested", "cid_checked", "immigration_offender", "known_absconder",
             "referred_to_ice_team"),
            "referred_to_high_harm_team", (POLICE,), "¶3.6, fn 8"),
    ),
)  # fmt: skip

# ACRO check, one per request (DOMAIN.md "HOSOL"; ¶4.31–4.35, fn 19–20).  Police request it
# (¶4.31); the Home Office must request its own before acting on a non-HOSOL result (fn 20); a
# HOSOL result is recorded on PNC and referred to Criminal Casework (¶4.32).
_ACRO_RECORDERS = (POLICE, IO, CASEWORK)
ACRO_CHECK = Lifecycle(
    (
        "requested", "no_record", "no_response", "hosol_result", "non_hosol_result",
        "referred_to_criminal_casework",
    ),
    NEW,
    (
        Row("request_acro_check", (NEW,), "requested", (POLICE,), "¶4.31"),
        Row("request_immigration_acro_check", (NEW,), "requested", HOME_OFFICE, "fn 20, ¶4.35"),
        Row("record_acro_no_record", ("requested",), "no_record", _ACRO_RECORDERS, "¶4.31"),
        Row("record_acro_no_response", ("requested",), "no_response", _ACRO_RECORDERS,
            "¶4.31 (or in some cases not at all)"),
        Row("record_hosol_result", ("requested",), "hosol_result", _ACRO_RECORDERS, "¶4.32"),
        Row("record_non_hosol_result", ("requested",), "non_hosol_result", _ACRO_RECORDERS,
            "¶4.32–4.35, fn 20"),
        Row("refer_to_criminal_casework", ("hosol_result",), "referred_to_criminal_casework",
            (POLICE,), "¶4.32 (recorded on PNC and referred)"),
    ),
)  # fmt: skip

# DVA check (DOMAIN.md "DVA"; ¶4.36–4.37, fn 21–22): police may run it themselves; IOs must ask
# CCU, which runs it only on reasonable doubt or declines.  IOs never see DVA (¶4.37).
DVA_CHECK = Lifecycle(
    ("awaiting_ccu", "checking", "declined", "passport_record_found", "no_passport_record"),
    NEW,
    (
        # who of these has direct access is the organisation file's dva_access (guard
        # dva_reasonable_doubt, rule dva_access), so Rec. 3c is a change of file, not of code
        Row("run_dva_check", (NEW,), "checking", (POLICE, JOC, CCU, IO), "¶4.37, Rec. 3c"),
        Row("ask_ccu_for_dva_check", (NEW,), "awaiting_ccu", (IO, JOC, POLICE), "¶4.37"),
        Row("run_requested_dva_check", ("awaiting_ccu",), "checking", (CCU,), "¶4.37, fn 21"),
        Row("decline_dva_check", ("awaiting_ccu",), "declined", (CCU,), "fn 21–22"),
        Row("record_passport_record_found", ("checking",), "passport_record_found",
            (POLICE, CCU), "¶4.36"),
        Row("record_no_passport_record", ("checking",), "no_passport_record", (POLICE, CCU),
            "¶4.36"),
    ),
)  # fmt: skip

# 4. Detention (DOMAIN.md): at liberty · police custody · prison · immigration detention ·
# temporary release · removed.  Figure 1 walks: custody → prison (16 Jul 2013) → immigration
# detention (16 Oct 2013) → temporary release (19 Nov 2013) → custody (22 May 2014) → … → at
# liberty after running away (6 Nov 2015) → custody (7 Nov 2015) → immigration detention (8 May
# 2016).  Police hold people in their custody; immigration powers are the Home Office's (¶3.2).
_RELEASES_FROM = ("police_custody", "prison", "immigration_detention")
DETENTION = Lifecycle(
    (
        "at_liberty", "police_custody", "prison", "immigration_detention", "temporary_release",
        "removed",
    ),
    "at_liberty",
    (
        Row("enter_police_custody", ("at_liberty", "temporary_release"), "police_custody",
            (POLICE,), "Figure 1 (22 May 2014, 6 Nov 2015)"),
        Row("enter_prison", ("police_custody",), "prison", _JUSTICE, "Figure 1 (16 Jul 2013)"),
        Row("detain_under_immigration_powers",
            ("at_liberty", "temporary_release", "police_custody", "prison"),
            "immigration_detention", HOME_OFFICE,
            "¶3.2, Figure 1 (16 Oct 2013, 8 May 2016), Figure 2"),
        Row("release_on_reporting_restrictions", _RELEASES_FROM, "temporary_release",
            HOME_OFFICE, "¶3.2, ¶4.27, Figure 1 (19 Nov 2013)"),
        Row("release_to_liberty", _RELEASES_FROM, "at_liberty", _JUSTICE,
            "¶4.21–4.22, Figure 1 (6 Nov 2015)"),
        Row("mark_removed", ("immigration_detention", "temporary_release", "at_liberty", "prison"),
            "removed", HOME_OFFICE, "Figure 2 (5 Oct 2015)"),
    ),
)  # fmt: skip

# 5. Emergency Travel Document (DOMAIN.md): not needed (passport) · needed → interview scheduled
# → interviewed / halted / not attended → applied → issued / refused.  Figure 1: halted by the
# asylum claim (4 Oct 2013), not attended (2014), completed (2 Jun 2016); Figure 2: applied for
# straight away (26 Jun 2015), issued (3 Jul 2015).  Home Office work throughout.
ETD = Lifecycle(
    (
        "unassessed", "passport_held", "etd_needed", "interview_scheduled", "interview_halted",
        "interview_not_attended", "interviewed", "applied", "issued", "refused",
    ),
    "unassessed",
    (
        Row("record_valid_passport", ("unassessed", "etd_needed"), "passport_held", HOME_OFFICE,
            "DOMAIN.md lifecycle 5"),
        Row("record_etd_needed", ("unassessed", "passport_held", "issued"), "etd_needed",
            HOME_OFFICE, "DOMAIN.md lifecycle 5"),
        Row("schedule_etd_interview",
            ("etd_needed", "interview_halted", "interview_not_attended", "refused"),
            "interview_scheduled", HOME_OFFICE, "Figure 1 (22 May 2014)"),
        Row("halt_etd_interview", ("etd_needed", "interview_scheduled"), "interview_halted",
            HOME_OFFICE, "Figure 1 (4 Oct 2013)"),
        Row("record_etd_interview_missed", ("interview_scheduled",), "interview_not_attended",
            HOME_OFFICE, "Figure 1 (2014)"),
        Row("complete_etd_interview",
            ("etd_needed", "interview_scheduled", "interview_halted", "interview_not_attended"),
            "interviewed", HOME_OFFICE, "Figure 1 (2 Jun 2016)"),
        Row("apply_for_etd", ("etd_needed", "interviewed"), "applied", HOME_OFFICE,
            "Figure 2 (26 Jun 2015)"),
        Row("record_etd_issued", ("applied",), "issued", HOME_OFFICE, "Figure 2 (3 Jul 2015)"),
        Row("record_etd_refused", ("applied",), "refused", HOME_OFFICE, "DOMAIN.md lifecycle 5"),
    ),
)  # fmt: skip

# 6. Reporting and absconding (DOMAIN.md): directions → reporting → stopped → listed absconder →
# re-encountered → new directions → re-listed (Figure 1: 19 Nov 2013, 18 Apr 2014, 1 May 2014,
# 22 May 2014, 19 Jun 2014, 7 Nov 2015).  Directions come from CID (¶4.27); a re-encounter is
# learnt by CCU's check or the JOC (¶3.3–3.4) as well as by IOs.
_UNDER_DIRECTIONS = ("directions_issued", "reporting")
REPORTING = Lifecycle(
    (
        "no_directions", "directions_issued", "reporting", "stopped_reporting",
        "listed_absconder", "reencountered",
    ),
    "no_directions",
    (
        Row("issue_reporting_directions",
            ("no_directions", "reencountered", *_UNDER_DIRECTIONS, "stopped_reporting"),
            "directions_issued", HOME_OFFICE, "¶3.2, ¶4.27, Figure 1 (7 Nov 2015)"),
        Row("record_report_made", _UNDER_DIRECTIONS, "reporting", HOME_OFFICE, "report silent"),
        Row("record_missed_reporting", _UNDER_DIRECTIONS, "stopped_reporting", HOME_OFFICE,
            "Figure 1 (18 Apr 2014; May 2014 'did not report')"),
        Row("resume_reporting", ("stopped_reporting",), "reporting", HOME_OFFICE,
            "report silent"),
        Row("list_as_absconder", ("stopped_reporting",), "listed_absconder", HOME_OFFICE,
            "Figure 1 (1 May 2014, 19 Jun 2014)"),
        Row("reencounter", ("listed_absconder",), "reencountered", (CCU, JOC, IO, CASEWORK),
            "Figure 1 (22 May 2014, 6 Nov 2015), ¶3.3–3.4"),
        Row("end_reporting", (*_UNDER_DIRECTIONS, "stopped_reporting", "listed_absconder",
            "reencountered"), "no_directions", HOME_OFFICE, "report silent"),
    ),
)  # fmt: skip

# 7. Removal / deportation (DOMAIN.md): liable → directions set → deferred / attempted →
# frustrated → escorted attempt → removed; deportation of HOSOL offenders via Criminal Casework
# (¶4.32).  Figure 1: papers served 23 Jul 2013, directions 2 Jun 2016, deferred 24 Jun 2016;
# Figure 2: notice served 21 Jun 2015, two frustrated attempts, removed 5 Oct 2015.
REMOVAL = Lifecycle(
    ("not_liable", "liable", "directions_set", "deferred", "attempt_frustrated", "removed"),
    "not_liable",
    (
        Row("serve_removal_papers", ("not_liable",), "liable", (IO,),
            "Figure 1 (23 Jul 2013), Figure 2 (21 Jun 2015)"),
        Row("make_deportation_decision", ("not_liable",), "liable", (CASEWORK,), "¶4.32, fn 19"),
        Row("set_removal_directions", ("liable", "deferred", "attempt_frustrated"),
            "directions_set", HOME_OFFICE, "Figure 1 (2 Jun 2016), Figure 2"),
        Row("defer_removal_directions", ("directions_set",), "deferred", HOME_OFFICE,
            "Figure 1 (24 Jun 2016)"),
        Row("record_frustrated_removal", ("directions_set",), "attempt_frustrated", HOME_OFFICE,
            "Figure 2, Figure 1 comments"),
        Row("remove", ("directions_set",), "removed", HOME_OFFICE, "Figure 2 (5 Oct 2015)"),
        Row("withdraw_removal_liability",
            ("liable", "deferred", "attempt_frustrated", "directions_set"), "not_liable",
            HOME_OFFICE, "report silent"),
    ),
)  # fmt: skip

# 8. Barriers, any number in parallel (DOMAIN.md): lodged → refused / granted, or withdrawn.
# Figure 1: asylum 4 Oct 2013 (refused 15 Apr 2014), human rights (refused 26 May 2016),
# pre-action protocol 31 May 2016, judicial review 24 Jun 2016; recorded by the Home Office.
BARRIER = Lifecycle(
    ("lodged", "refused", "granted", "withdrawn", "appeal_dismissed", "appeal_allowed"),
    NEW,
    (
        Row("lodge_claim", (NEW,), "lodged", HOME_OFFICE, "Figure 1 (4 Oct 2013, 31 May 2016)"),
        Row("refuse_claim", ("lodged",), "refused", HOME_OFFICE,
            "Figure 1 (15 Apr 2014, 26 May 2016)"),
        Row("grant_claim", ("lodged",), "granted", HOME_OFFICE, "DOMAIN.md lifecycle 8"),
        Row("withdraw_claim", ("lodged",), "withdrawn", HOME_OFFICE, "DOMAIN.md lifecycle 8"),
        # Appeals are barriers too (Figure 1's commentary: "claims or appeals"); a tribunal
        # decides them.  Who records the decision: report silent (the Home Office, as claims).
        Row("dismiss_appeal", ("lodged",), "appeal_dismissed", HOME_OFFICE, "Figure 1 comments"),
        Row("allow_appeal", ("lodged",), "appeal_allowed", HOME_OFFICE, "Figure 1 comments"),
    ),
)  # fmt: skip

# Four eyes (issue 16): a PACE extension proposed by one officer, authorised by a superintendent
# (fn 17); detention and removal directions by a second Home Office user (policy: report silent).
# Any number per case; authorising records the action with it (casetracker case authorise).
PROPOSERS = (POLICE, IO, CASEWORK)
AUTHORISATION = Lifecycle(
    ("proposed", "authorised", "rejected"),
    NEW,
    (
        Row("propose_action", (NEW,), "proposed", PROPOSERS, "fn 17; else report silent"),
        Row("authorise_proposal", ("proposed",), "authorised", PROPOSERS, "fn 17"),
        Row("reject_proposal", ("proposed",), "rejected", PROPOSERS, "report silent"),
    ),
)

# CID updates, one per update (¶4.27): the IO updates CID with what was done on a referral, and
# CID produces papers (written reporting instructions) that the IO then serves.
CID_UPDATE = Lifecycle(
    ("cid_updated", "papers_to_serve", "papers_served"),
    NEW,
    (
        Row("update_cid", (NEW,), "cid_updated", (IO,), "¶4.27"),
        Row("update_cid_with_papers", (NEW,), "papers_to_serve", (IO,), "¶4.27"),
        Row("serve_cid_papers", ("papers_to_serve",), "papers_served", (IO,), "¶4.27"),
    ),
)

# Work on the case (issue 16): owners of queue items and the deadlines the system saw pass.
# Record-keeping of this project's, not the report's: report silent.
SUPERVISOR, SYSTEM = Role.SUPERVISOR, Role.SYSTEM
WORKERS = (POLICE, CCU, JOC, IO, CASEWORK, SUPERVISOR, ADMIN)
WORK = Lifecycle(
    ("tracked",),
    "tracked",
    (
        Row("claim_item", ("tracked",), "tracked", WORKERS, "report silent"),
        Row("release_item", ("tracked",), "tracked", WORKERS, "report silent"),
        Row("reassign_item", ("tracked",), "tracked", (SUPERVISOR, ADMIN), "report silent"),
        Row("deadline_passed", ("tracked",), "tracked", (SYSTEM,), "fn 17 (PACE); else silent"),
    ),
)

TABLE: dict[str, Lifecycle] = {
    "authorisation": AUTHORISATION,
    "case": CASE,
    "leave": LEAVE,
    "encounter": ENCOUNTER,
    "status_check": STATUS_CHECK,
    "acro_check": ACRO_CHECK,
    "dva_check": DVA_CHECK,
    "detention": DETENTION,
    "etd": ETD,
    "reporting": REPORTING,
    "removal": REMOVAL,
    "barrier": BARRIER,
    "cid_update": CID_UPDATE,
    "work": WORK,
}

# (lifecycle, action) -> why this reading and the definition disagree.  Each is a strict expected
# failure: when the definition changes to match, the test passes and must be moved out of here.
DISPUTED: dict[tuple[str, str], str] = {}
