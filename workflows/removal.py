"""Removal or deportation: from liability to the subject leaving the UK.

One instance per case that may cycle: directions can be set, deferred, frustrated and set again
(Figure 2: two unescorted attempts, then removal under escort).  Liability comes from removal
papers served on an immigration offender, or from a deportation decision that Criminal Casework
takes on a Serious Offence List result (¶4.32) or a UK sentence meeting the deportation criteria
(fn 19).  Setting directions needs liability and no
undecided protection claim or appeal, but not yet a travel document (Figure 1 set them on the
day of its ETD interview); carrying out the removal needs a travel document and directions still
in force.
"""

from casetracker.domain.vocabulary import (
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)
from workflows.status_check import OFFENDER_KINDS

_HOME_OFFICE = (Role.IMMIGRATION_OFFICER, Role.CASEWORK)
_CAN_SET = ("liable", "deferred", "attempt_frustrated")

DEFINITION = WorkflowSpec(
    name="removal",
    version=1,
    label="Removal",
    initial="not_liable",
    cites="¶4.32, Figure 1, Figure 2",
    help="Liability to removal or deportation, removal directions and attempts.",
    states=(
        StateSpec("not_liable", "Not liable to removal"),
        StateSpec("liable", "Liable to removal (papers served)"),
        StateSpec("directions_set", "Removal directions set"),
        StateSpec("deferred", "Removal directions deferred"),
        StateSpec("attempt_frustrated", "Removal attempt frustrated"),
        StateSpec("removed", "Removed", terminal=True),
    ),
    actions=(
        ActionSpec(
            "serve_removal_papers",
            "Serve removal papers",
            sources=("not_liable",),
            dest="liable",
            roles=(Role.IMMIGRATION_OFFICER,),
            fields=(
                FieldSpec(
                    "basis",
                    FieldType.CHOICE,
                    label="Basis",
                    choices=OFFENDER_KINDS,
                ),
            ),
            guards=("removal_basis_matches_status",),
            cites="Figure 1 (23 Jul 2013), Figure 2 (21 Jun 2015)",
        ),
        ActionSpec(
            "make_deportation_decision",
            "Decide to deport",
            sources=("not_liable",),
            dest="liable",
            roles=(Role.CASEWORK,),
            guards=("deportation_grounds", "own_acro_check_first"),
            cites="¶3.4, ¶4.32, ¶4.35, fn 19–20",
            help="On a Serious Offence List result or a UK sentence meeting the criteria.",
        ),
        ActionSpec(
            "set_removal_directions",
            "Set removal directions",
            sources=_CAN_SET,
            dest="directions_set",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec(
                    "removal_date",
                    FieldType.DATE,
                    required=False,
                    label="Removal date",
                    help="Leave it empty only when the record does not give it (Figure 2).",
                ),
                FieldSpec("escorted", FieldType.BOOLEAN, required=False, label="Escorted"),
            ),
            guards=(
                "no_pending_protection_claim",
                "appeals_allow_removal",
                "no_pending_judicial_review",
                "removal_date_not_past",
            ),
            cites="Figure 1 (2 Jun 2016), Figure 2",
        ),
        ActionSpec(
            "defer_removal_directions",
            "Defer removal directions",
            sources=("directions_set",),
            dest="deferred",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec(
                    "reason",
                    FieldType.CHOICE,
                    label="Reason",
                    choices=("judicial_review", "other"),
                ),
            ),
            guards=("judicial_review_lodged",),
            cites="Figure 1 (24 Jun 2016)",
        ),
        ActionSpec(
            "record_frustrated_removal",
            "Record a frustrated removal attempt",
            sources=("directions_set",),
            dest="attempt_frustrated",
            roles=_HOME_OFFICE,
            fields=(FieldSpec("escorted", FieldType.BOOLEAN, required=False, label="Escorted"),),
            cites="Figure 1 comments, Figure 2",
        ),
        ActionSpec(
            "remove",
            "Carry out removal",
            sources=("directions_set",),
            dest="removed",
            roles=_HOME_OFFICE,
            fields=(FieldSpec("escorted", FieldType.BOOLEAN, required=False, label="Escorted"),),
            guards=(
                "travel_document_held",
                "directions_in_force",
                "no_pending_protection_claim",
                "appeals_allow_removal",
            ),
            irreversible=True,
            cites="Figure 1 comments, Figure 2 (5 Oct 2015)",
        ),
        ActionSpec(
            "withdraw_removal_liability",
            "Withdraw liability to removal",
            sources=(*_CAN_SET, "directions_set"),
            dest="not_liable",
            roles=_HOME_OFFICE,
            help="For example after leave is granted on a claim.",
        ),
    ),
)
