"""Emergency travel document: getting the subject a document to travel on.

A single instance per case that may cycle, rather than one instance per application: removal
needs one answer, "is there a travel document now?", and the history of one instance already
keeps every interview and application.  Figure 1's interviews (halted in Oct 2013, not attended
in 2014, completed on 2 Jun 2016) are then the story of one document, as its comments tell it:
removal cannot happen without it.  Figure 2: applied 26 Jun 2015, issued 3 Jul 2015.
"""

from casetracker.domain.vocabulary import (
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)

_HOME_OFFICE = (Role.IMMIGRATION_OFFICER, Role.CASEWORK)
_CAN_INTERVIEW = ("etd_needed", "interview_scheduled", "interview_halted", "interview_not_attended")

DEFINITION = WorkflowSpec(
    name="etd",
    version=1,
    label="Travel document",
    initial="unassessed",
    cites="Figure 1, Figure 2",
    help="A valid passport, or an Emergency Travel Document from the subject's High Commission.",
    states=(
        StateSpec("unassessed", "Not yet assessed"),
        StateSpec("passport_held", "Valid passport held (no ETD needed)"),
        StateSpec("etd_needed", "ETD needed"),
        StateSpec("interview_scheduled", "ETD interview scheduled"),
        StateSpec("interview_halted", "ETD interview halted"),
        StateSpec("interview_not_attended", "ETD interview not attended"),
        StateSpec("interviewed", "ETD interview completed"),
        StateSpec("applied", "Applied to the High Commission"),
        StateSpec("issued", "ETD issued"),
        StateSpec("refused", "ETD refused"),
    ),
    actions=(
        ActionSpec(
            "record_valid_passport",
            "Record a valid passport",
            sources=("unassessed", "etd_needed"),
            dest="passport_held",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec("passport_valid_to", FieldType.DATE, required=False, label="Expires"),
            ),
        ),
        ActionSpec(
            "record_etd_needed",
            "Record that an ETD is needed",
            sources=("unassessed", "passport_held", "issued"),
            dest="etd_needed",
            roles=_HOME_OFFICE,
            help="No valid passport, or the document held has expired or been lost.",
        ),
        ActionSpec(
            "schedule_etd_interview",
            "Schedule an ETD interview",
            sources=("etd_needed", "interview_halted", "interview_not_attended", "refused"),
            dest="interview_scheduled",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec("interview_on", FieldType.DATE, required=False, label="Interview date"),
            ),
            cites="Figure 1 (22 May 2014)",
        ),
        ActionSpec(
            "halt_etd_interview",
            "Record that the ETD interview was halted",
            sources=("etd_needed", "interview_scheduled"),
            dest="interview_halted",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec(
                    "halted_by",
                    FieldType.CHOICE,
                    label="Halted by",
                    choices=("asylum_claim", "human_rights_claim", "other"),
                ),
            ),
            guards=("halting_claim_lodged",),
            cites="Figure 1 (4 Oct 2013)",
        ),
        ActionSpec(
            "record_etd_interview_missed",
            "Record that the ETD interview was not attended",
            sources=("interview_scheduled",),
            dest="interview_not_attended",
            roles=_HOME_OFFICE,
            cites="Figure 1 (2014)",
        ),
        ActionSpec(
            "complete_etd_interview",
            "Record the ETD interview as completed",
            sources=_CAN_INTERVIEW,
            dest="interviewed",
            roles=_HOME_OFFICE,
            cites="Figure 1 (2 Jun 2016)",
        ),
        ActionSpec(
            "apply_for_etd",
            "Apply to the High Commission for an ETD",
            sources=("etd_needed", "interviewed"),
            dest="applied",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec(
                    "high_commission",
                    FieldType.TEXT,
                    label="High Commission",
                    personal=True,
                    help="Reveals nationality, so it is personal data.",
                ),
            ),
            cites="Figure 2 (26 Jun 2015)",
        ),
        ActionSpec(
            "record_etd_issued",
            "Record the ETD as issued",
            sources=("applied",),
            dest="issued",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec("etd_valid_to", FieldType.DATE, required=False, label="Valid to"),
                FieldSpec(
                    "verified_nationality",
                    FieldType.TEXT,
                    required=False,
                    label="Nationality (verified by the ETD)",
                    help="The issuing High Commission confirms it; the claimed one is kept.",
                    personal=True,
                ),
            ),
            cites="Figure 2 (3 Jul 2015)",
        ),
        ActionSpec(
            "record_etd_refused",
            "Record the ETD as refused",
            sources=("applied",),
            dest="refused",
            roles=_HOME_OFFICE,
        ),
    ),
)
