"""Encounter: one arrest and what follows it, in police custody and in the criminal courts.

A case holds many (Figure 1: five arrests in three years).  States follow the person's custody
and criminal-justice position, because that is what the PACE clock (fn 17) and the outcomes
depend on; facts recorded while in custody (nationality, an IO's visit, a PACE extension, a Home
Office request to hold) are steps that keep the state and land in the instance's fields and
history.  The referral for a status check starts a ``status_check`` instance that names this
encounter, so each referral is counted once, by its route (Recommendation 1, ¶4.8–4.12).
"""

from casetracker.domain.rules.offences import OFFENCE_CATEGORIES
from casetracker.domain.rules.referral import NATIONALITY_GROUPS
from casetracker.domain.vocabulary import (
    NEW,
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)

_POLICE = (Role.POLICE,)
_IO = (Role.IMMIGRATION_OFFICER,)
_HOME_OFFICE = (Role.IMMIGRATION_OFFICER, Role.JOC, Role.CCU)
_RECORDERS = (Role.POLICE, Role.IMMIGRATION_OFFICER, Role.CASEWORK)

_WHERE = (
    FieldSpec("force", FieldType.TEXT, label="Police force code", help="e.g. MPS, WMP, WYP"),
    FieldSpec("custody_suite", FieldType.TEXT, required=False, label="Custody suite"),
)
_AWAITING_COURT = ("remanded", "awaiting_trial")

DEFINITION = WorkflowSpec(
    name="encounter",
    version=1,
    label="Encounter",
    initial=NEW,
    many=True,
    cites="¶3.3, ¶4.7, ¶4.21–4.22, fn 17, Figure 1, Figure 2",
    help="One arrest: custody, the PACE clock, the outcome and any prosecution that follows.",
    states=(
        StateSpec("in_custody", "In police custody", help="The PACE clock runs (fn 17)."),
        StateSpec("on_bail", "On police bail", help="The PACE clock is paused (fn 17)."),
        StateSpec("charged", "Charged"),
        StateSpec("remanded", "Remanded in custody"),
        StateSpec("awaiting_trial", "Bailed to court"),
        StateSpec("convicted", "Convicted and sentenced"),
        StateSpec("sentence_completed", "Sentence completed", terminal=True),
        StateSpec("acquitted", "Acquitted or case dropped", terminal=True),
        StateSpec("no_further_action", "No further action", terminal=True),
        StateSpec("released", "Released from police custody", terminal=True),
        StateSpec("handed_to_immigration", "Handed to immigration detention", terminal=True),
        StateSpec("ran_away", "Ran away from police", terminal=True),
    ),
    actions=(
        ActionSpec(
            "arrest",
            "Arrest",
            sources=(NEW,),
            dest="in_custody",
            roles=_POLICE,
            fields=(
                FieldSpec("offence", FieldType.TEXT, label="Offence"),
                FieldSpec(
                    "offence_category",
                    FieldType.CHOICE,
                    label="Offence category",
                    choices=OFFENCE_CATEGORIES,
                    help="Feeds the High Harm criteria (fn 8).",
                ),
                *_WHERE,
            ),
            guards=("known_force",),
            cites="¶3.3, ¶4.25",
            help="The effective time is the moment of arrest: the PACE clock starts there.",
        ),
        ActionSpec(
            "arrest_for_immigration_offence",
            "Encounter and arrest on suspicion of an immigration offence",
            sources=(NEW,),
            dest="in_custody",
            roles=_POLICE,
            fields=(
                *_WHERE,
                FieldSpec(
                    "encounter_context",
                    FieldType.TEXT,
                    required=False,
                    label="How the subject was encountered",
                    help="Figure 2: at a domestic dispute that needed no further action.",
                    free_text=True,
                ),
            ),
            guards=("known_force",),
            cites="¶4.7, fn 5, Figure 2",
        ),
        ActionSpec(
            "record_nationality",
            "Record nationality",
            sources=("in_custody",),
            dest="in_custody",
            roles=(Role.POLICE, Role.IMMIGRATION_OFFICER),
            fields=(
                FieldSpec(
                    "nationality",
                    FieldType.TEXT,
                    required=False,
                    label="Nationality (as claimed)",
                    personal=True,
                ),
                FieldSpec(
                    "verified_nationality",
                    FieldType.TEXT,
                    required=False,
                    label="Nationality (verified)",
                    help="Kept beside the claimed one, never over it (¶4.1–4.2).",
                    personal=True,
                ),
                FieldSpec(
                    "nationality_group",
                    FieldType.CHOICE,
                    label="Nationality group",
                    choices=NATIONALITY_GROUPS,
                    help="Counted for referral rates; the nationality itself is personal data.",
                ),
                FieldSpec(
                    "nationality_basis",
                    FieldType.CHOICE,
                    label="Claimed or verified",
                    choices=("claimed", "verified"),
                    help="Documents or a fingerprint match verify (¶4.1, fn 10–11).",
                ),
            ),
            guards=("nationality_kept_apart",),
            cites="¶4.1–4.6",
        ),
        ActionSpec(
            "record_seen_by_io",
            "Record that an immigration officer saw the subject",
            sources=("in_custody",),
            dest="in_custody",
            roles=_IO,
            fields=(
                FieldSpec(
                    "admitted_immigration_offence",
                    FieldType.BOOLEAN,
                    required=False,
                    label="Admitted an immigration offence",
                ),
            ),
            cites="¶4.13, ¶4.21–4.23, Figure 2",
            help="A release without this step counts as released before an IO saw them.",
        ),
        ActionSpec(
            "record_found_in_custody_sweep",
            "Record that an IO's sweep of the custody list found the subject unreferred",
            sources=("in_custody",),
            dest="in_custody",
            roles=_IO,
            guards=("sweep_finds_unreferred",),
            cites="¶3.5, ¶4.3, ¶4.5, ¶4.12",
            help="Then refer the status check: the route is counted as found by an IO sweep.",
        ),
        ActionSpec(
            "transfer_to_suite",
            "Transfer to a hub or central custody suite",
            sources=("in_custody",),
            dest="in_custody",
            roles=_POLICE,
            fields=(
                FieldSpec(
                    "custody_suite",
                    FieldType.TEXT,
                    label="Suite moved to",
                    help="A hub or rota suite of the same force, from the organisation file.",
                ),
            ),
            guards=("transfer_to_central_suite",),
            cites="¶4.13, ¶4.16, ¶4.19",
            help="Offenders are taken where IOs work; a later leaving counts at the new suite.",
        ),
        ActionSpec(
            "request_immigration_hold",
            "Ask the police to hold the subject for the Home Office",
            sources=("in_custody",),
            dest="in_custody",
            roles=_HOME_OFFICE,
            cites="Figure 1 (7 May 2016)",
        ),
        ActionSpec(
            "extend_detention",
            "Extend detention by 12 hours",
            sources=("in_custody",),
            dest="in_custody",
            roles=_POLICE,
            fields=(
                FieldSpec(
                    "superintendent_authority",
                    FieldType.TEXT,
                    label="Superintendent's authority",
                    help="Who approved the extension, and the reference.",
                    free_text=True,
                ),
            ),
            guards=("pace_extension_allowed",),
            cites="fn 17",
        ),
        ActionSpec(
            "bail",
            "Bail pending further enquiries",
            sources=("in_custody",),
            dest="on_bail",
            roles=_POLICE,
            fields=(FieldSpec("bail_until", FieldType.DATETIME, required=False, label="Bail to"),),
            cites="fn 17",
            help="Pauses the PACE clock.",
        ),
        ActionSpec(
            "rearrest",
            "Re-arrest for the same offence",
            sources=("on_bail",),
            dest="in_custody",
            roles=_POLICE,
            cites="fn 17",
            help="Resumes the PACE clock; an arrest for a new offence is a new encounter.",
        ),
        ActionSpec(
            "take_no_further_action",
            "Take no further action",
            sources=("in_custody", "on_bail"),
            dest="no_further_action",
            roles=_POLICE,
            cites="¶4.22",
        ),
        ActionSpec(
            "release_without_charge",
            "Release from police custody",
            sources=("in_custody",),
            dest="released",
            roles=_POLICE,
            cites="¶4.21–4.22",
        ),
        ActionSpec(
            "hand_to_immigration",
            "Hand over to immigration detention",
            sources=("in_custody",),
            dest="handed_to_immigration",
            roles=(Role.POLICE, Role.IMMIGRATION_OFFICER),
            cites="¶3.2, Figure 1, Figure 2",
            help="Ends the police's hold; the Home Office then records the detention.",
        ),
        ActionSpec(
            "escape_custody",
            "Record that the subject ran away",
            sources=("in_custody",),
            dest="ran_away",
            roles=_POLICE,
            cites="Figure 1 (6–7 Nov 2015)",
        ),
        ActionSpec(
            "charge",
            "Charge",
            sources=("in_custody",),
            dest="charged",
            roles=_POLICE,
            cites="fn 17",
            help="Stops the PACE clock.",
        ),
        ActionSpec(
            "remand",
            "Remand in custody",
            sources=("charged",),
            dest="remanded",
            roles=_RECORDERS,
            cites="Figure 1 (16 Jul 2013)",
        ),
        ActionSpec(
            "bail_to_court",
            "Bail to appear at court",
            sources=("charged",),
            dest="awaiting_trial",
            roles=_POLICE,
        ),
        ActionSpec(
            "convict",
            "Record conviction and sentence",
            sources=_AWAITING_COURT,
            dest="convicted",
            roles=_RECORDERS,
            fields=(
                FieldSpec(
                    "conviction_category",
                    FieldType.CHOICE,
                    label="Offence convicted of",
                    choices=OFFENCE_CATEGORIES,
                    help="Feeds the High Harm criteria (fn 8).",
                ),
                FieldSpec(
                    "sentence",
                    FieldType.CHOICE,
                    label="Sentence",
                    choices=("custodial", "non_custodial"),
                ),
                FieldSpec(
                    "sentence_months",
                    FieldType.INTEGER,
                    required=False,
                    label="Custodial sentence (months)",
                    help="The deportation criteria go by sentence length (fn 19).",
                ),
            ),
            cites="fn 8, fn 19, Figure 1",
        ),
        ActionSpec(
            "acquit",
            "Record acquittal or discontinuance",
            sources=_AWAITING_COURT,
            dest="acquitted",
            roles=_RECORDERS,
        ),
        ActionSpec(
            "complete_sentence",
            "Record that the sentence is completed",
            sources=("convicted",),
            dest="sentence_completed",
            roles=_RECORDERS,
            cites="Figure 1 (16 Oct 2013)",
        ),
    ),
)
