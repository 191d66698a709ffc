"""Status check: one per referral of an arrested person to the Home Office.

The referral is the instance's first step and its action names the route (¶4.7, ¶4.10–4.11):
through CCU, or locally to an embedded IO or the ICE office.  Counting these starts, by action
and by the referenced encounter's force, gives Recommendation 1's referral rates.  An encounter
with no status check was not referred.  CCU call handlers run the check on CID; IOs do so where
local practice allows (¶4.27, guard ``status_check_runner``).  Immigration offenders go on to the
Nexus JOC in London and to the local ICE team elsewhere (¶3.4, ¶3.6); outside London the police
refer a High Harm case themselves, from their own checks of previous convictions (¶3.6).
"""

from casetracker.domain.vocabulary import (
    NEW,
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)

OFFENDER_KINDS = ("overstayer", "illegal_entrant", "eea_not_exercising_treaty_rights")

_RUNNERS = (Role.CCU, Role.IMMIGRATION_OFFICER)
_ENCOUNTER = (
    FieldSpec(
        "encounter",
        FieldType.INTEGER,
        label="Encounter number",
        help="The arrest this referral follows.",
    ),
)


def _referral(action: str, label: str, cites: str, help_text: str) -> ActionSpec:
    return ActionSpec(
        action,
        label,
        sources=(NEW,),
        dest="requested",
        roles=(Role.POLICE, Role.IMMIGRATION_OFFICER),
        fields=_ENCOUNTER,
        guards=("referred_encounter_exists",),
        cites=cites,
        help=help_text,
    )


def _result(
    action: str,
    label: str,
    dest: str,
    *,
    fields: tuple[FieldSpec, ...] = (),
    guards: tuple[str, ...] = (),
    cites: str = "",
) -> ActionSpec:
    return ActionSpec(
        action,
        label,
        sources=("cid_checked",),
        dest=dest,
        roles=_RUNNERS,
        fields=fields,
        guards=guards,
        cites=cites,
    )


DEFINITION = WorkflowSpec(
    name="status_check",
    version=1,
    label="Status check",
    initial=NEW,
    many=True,
    cites="¶3.3–3.6, ¶4.7–4.12, ¶4.27",
    help="A referral for an immigration status check, its result and where it went next.",
    states=(
        StateSpec("requested", "Requested"),
        StateSpec("cid_checked", "Checked on CID"),
        StateSpec("no_trace", "No trace on Home Office records", terminal=True),
        StateSpec("lawful_status", "Lawfully in the UK", terminal=True),
        StateSpec("known_absconder", "Known absconder"),
        StateSpec("immigration_offender", "Immigration offender"),
        StateSpec("referred_to_joc", "Referred to the Nexus JOC"),
        StateSpec(
            "referred_to_ice_team",
            "Referred to the local ICE team",
            help="The police may still refer a High Harm case themselves (¶3.6).",
        ),
        StateSpec("taken_up_locally", "Taken up by the local IO", terminal=True),
        StateSpec(
            "passed_to_io",
            "Passed by the JOC to an IO",
            help="The JOC may still refer the case to the High Harm team (¶3.4).",
        ),
        StateSpec("referred_to_high_harm_team", "Referred to the High Harm team", terminal=True),
    ),
    actions=(
        _referral(
            "refer_to_ccu",
            "Refer to CCU for a status check",
            "¶3.3, ¶4.7",
            "The route the Home Office prefers: it keeps a central record (¶5.2).",
        ),
        _referral(
            "refer_to_local_io",
            "Refer to the local immigration officer",
            "¶4.10–4.11",
            "Record every local referral so that it can be counted (Recommendation 1).",
        ),
        _referral(
            "refer_to_local_ice_office",
            "Refer to the local ICE office",
            "¶3.2, ¶4.11",
            "The older 'police call-out' route.",
        ),
        ActionSpec(
            "check_cid",
            "Check status on CID",
            sources=("requested",),
            dest="cid_checked",
            roles=_RUNNERS,
            fields=(
                FieldSpec(
                    "documents",
                    FieldType.CHOICE,
                    required=False,
                    label="Identity documents found",
                    choices=("none", "passport", "national_id_card", "other"),
                    help="Documents may confirm nationality (¶4.1, fn 10).",
                ),
                FieldSpec(
                    "fingerprint_match",
                    FieldType.CHOICE,
                    required=False,
                    label="Fingerprint comparison",
                    choices=("matched", "no_match", "no_home_office_record", "not_taken"),
                    help="Many have no Home Office prints (fn 11); some are not printed (fn 18).",
                ),
                FieldSpec(
                    "cid_reached",
                    FieldType.CHOICE,
                    required=False,
                    label="Where CID was reached",
                    choices=("at_the_suite", "ice_office", "telephone"),
                    help="Without CID at the suite, IOs use the ICE office or telephone (¶4.28).",
                ),
                FieldSpec(
                    "verified_nationality",
                    FieldType.TEXT,
                    required=False,
                    label="Nationality (verified on CID)",
                    help="Kept beside the nationality claimed, never over it.",
                    personal=True,
                ),
            ),
            guards=("status_check_runner",),
            cites="¶4.27–4.30, fn 11, fn 18",
        ),
        _result("record_no_trace", "Record no trace", "no_trace"),
        _result("record_lawful_status", "Record lawful status", "lawful_status"),
        _result(
            "record_known_absconder",
            "Record known absconder",
            "known_absconder",
            guards=("listed_absconder",),
            cites="Figure 1",
        ),
        _result(
            "record_immigration_offender",
            "Record immigration offender",
            "immigration_offender",
            fields=(
                FieldSpec("offender_kind", FieldType.CHOICE, label="Kind", choices=OFFENDER_KINDS),
            ),
            guards=("finding_agrees_with_status",),
            cites="fn 5, fn 9",
        ),
        ActionSpec(
            "refer_to_joc",
            "Refer to the Nexus JOC",
            sources=("immigration_offender", "known_absconder"),
            dest="referred_to_joc",
            roles=(Role.CCU,),
            guards=("onward_referral_region",),
            cites="¶3.4",
        ),
        ActionSpec(
            "refer_to_ice_team",
            "Refer to the local ICE team",
            sources=("immigration_offender", "known_absconder"),
            dest="referred_to_ice_team",
            roles=(Role.CCU,),
            guards=("onward_referral_region",),
            cites="¶3.6",
        ),
        ActionSpec(
            "take_up_locally",
            "Take the case up locally",
            sources=("immigration_offender", "known_absconder"),
            dest="taken_up_locally",
            roles=(Role.IMMIGRATION_OFFICER,),
            cites="¶4.10–4.11",
            help="The IO who ran a local check deals with the offender.",
        ),
        ActionSpec(
            "pass_to_io",
            "Pass to an immigration officer",
            sources=("referred_to_joc",),
            dest="passed_to_io",
            roles=(Role.JOC,),
            cites="¶3.4–3.5",
        ),
        ActionSpec(
            "refer_to_high_harm_team",
            "Refer to the High Harm team",
            sources=("referred_to_joc", "passed_to_io"),
            dest="referred_to_high_harm_team",
            roles=(Role.JOC,),
            guards=("high_harm_met",),
            cites="¶3.4, fn 8",
            help="Also after the case was passed to an IO: both can happen (¶3.4).",
        ),
        ActionSpec(
            "police_refer_to_high_harm_team",
            "Refer a High Harm case to the Home Office (police, outside London)",
            sources=(
                "requested",
                "cid_checked",
                "immigration_offender",
                "known_absconder",
                "referred_to_ice_team",
            ),
            dest="referred_to_high_harm_team",
            roles=(Role.POLICE,),
            guards=("police_high_harm_referral", "police_high_harm_met"),
            cites="¶3.6, fn 8",
            help="Outside London the police's own checks of previous convictions find these.",
        ),
    ),
)
