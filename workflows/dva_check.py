"""DVA check: a passport-database check of someone who says they are a British citizen.

Only on reasonable doubt, and always with that doubt written down (fn 21); every request must be
auditable (fn 22).  Police may run a check themselves; IOs have no access and must ask CCU
(¶4.37), so their request is a separate first step that a CCU call handler then runs or declines.
Which role has which access is the organisation file's ``dva_access`` (guard
``dva_reasonable_doubt``), so giving the JOC direct access (Recommendation 3c) is a change of file.
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

_JUSTIFICATION = (
    FieldSpec(
        "reasonable_doubt",
        FieldType.TEXT,
        label="Reasonable doubt",
        help="Why there is reasonable doubt that the subject is a British citizen (fn 21).",
        free_text=True,
    ),
)
_RUNNERS = (Role.POLICE, Role.CCU)

DEFINITION = WorkflowSpec(
    name="dva_check",
    version=1,
    label="DVA passport check",
    initial=NEW,
    many=True,
    cites="¶4.36–4.37, fn 21–22",
    help="A check of a claimed British citizen against HM Passport Office records.",
    states=(
        StateSpec("awaiting_ccu", "Asked of CCU"),
        StateSpec("checking", "Checked on DVA"),
        StateSpec("declined", "Declined by CCU", terminal=True),
        StateSpec("passport_record_found", "Passport record found", terminal=True),
        StateSpec("no_passport_record", "No passport record", terminal=True),
    ),
    actions=(
        ActionSpec(
            "run_dva_check",
            "Run a DVA check",
            sources=(NEW,),
            dest="checking",
            # who of these has direct access is the organisation file's dva_access (Rec. 3c)
            roles=(Role.POLICE, Role.JOC, Role.CCU, Role.IMMIGRATION_OFFICER),
            fields=_JUSTIFICATION,
            guards=("dva_reasonable_doubt",),
            cites="¶4.36–4.37",
        ),
        ActionSpec(
            "ask_ccu_for_dva_check",
            "Ask CCU for a DVA check",
            sources=(NEW,),
            dest="awaiting_ccu",
            roles=(Role.IMMIGRATION_OFFICER, Role.JOC, Role.POLICE),
            fields=(
                *_JUSTIFICATION,
                FieldSpec(
                    "requested_by", FieldType.TEXT, label="Requesting officer", free_text=True
                ),
            ),
            guards=("dva_reasonable_doubt",),
            cites="¶4.37",
        ),
        ActionSpec(
            "run_requested_dva_check",
            "Run the requested DVA check",
            sources=("awaiting_ccu",),
            dest="checking",
            roles=(Role.CCU,),
            guards=("dva_reasonable_doubt",),
            cites="¶4.37, fn 21–22",
        ),
        ActionSpec(
            "decline_dva_check",
            "Decline the DVA request",
            sources=("awaiting_ccu",),
            dest="declined",
            roles=(Role.CCU,),
            fields=(
                FieldSpec("reason", FieldType.TEXT, label="Why it is declined", free_text=True),
            ),
            cites="fn 21–22",
        ),
        ActionSpec(
            "record_passport_record_found",
            "Record that a passport record was found",
            sources=("checking",),
            dest="passport_record_found",
            roles=_RUNNERS,
        ),
        ActionSpec(
            "record_no_passport_record",
            "Record that no passport record was found",
            sources=("checking",),
            dest="no_passport_record",
            roles=_RUNNERS,
        ),
    ),
)
