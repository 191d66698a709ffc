"""The case file itself: opening it, keeping notes, and the subject's personal data.

Every other lifecycle hangs off an open case.  The subject's name, date of birth, nationality and
identifiers are personal fields: the log keeps only salted digests of them, so a correction or an
erasure (a legal duty under data-protection law) never breaks the hash chain.
"""

from casetracker.domain.vocabulary import (
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)

_OPENERS = (Role.POLICE, Role.CCU, Role.IMMIGRATION_OFFICER, Role.JOC, Role.CASEWORK, Role.ADMIN)
_EVERY_CASEWORKER = _OPENERS

SUBJECT_FIELDS = (
    FieldSpec("name", FieldType.TEXT, label="Full name", personal=True),
    FieldSpec(
        "date_of_birth", FieldType.DATE, required=False, label="Date of birth", personal=True
    ),
    FieldSpec(
        "nationality",
        FieldType.TEXT,
        required=False,
        label="Nationality (as claimed)",
        help="What the person says, or said when arrested (¶4.1).",
        personal=True,
    ),
    FieldSpec(
        "verified_nationality",
        FieldType.TEXT,
        required=False,
        label="Nationality (verified)",
        help="As verified by documents, fingerprints, CID or an ETD; the claim is kept apart.",
        personal=True,
    ),
    FieldSpec(
        "identifiers",
        FieldType.TEXT_LIST,
        required=False,
        label="Identifiers",
        help="PNC, CID, passport or Home Office references, comma separated",
        personal=True,
    ),
)

DEFINITION = WorkflowSpec(
    name="case",
    version=1,
    label="Case file",
    initial="none",
    cites="Figure 1 (one person, five arrests over three years)",
    help=(
        "One case per person; a closed case can still be corrected or erased, never reopened; "
        "once erased, nothing more is recorded on it."
    ),
    states=(
        StateSpec("none", "Not yet opened"),
        StateSpec("open", "Open"),
        StateSpec("closed", "Closed"),
        StateSpec("erased", "Personal data erased", terminal=True),
    ),
    actions=(
        ActionSpec(
            "open_case",
            "Open a case",
            sources=("none",),
            dest="open",
            roles=_OPENERS,
            fields=(
                *SUBJECT_FIELDS,
                FieldSpec("force", FieldType.TEXT, required=False, label="Police force code"),
            ),
            help="One case per person: later arrests and claims are recorded on the same case.",
        ),
        ActionSpec(
            "correct_subject",
            "Correct the subject's details",
            sources=("open", "closed"),
            dest="open",
            roles=_EVERY_CASEWORKER,
            fields=(
                *(
                    FieldSpec(f.name, f.type, False, f.label, f.help, personal=True)
                    for f in SUBJECT_FIELDS
                ),
                FieldSpec(
                    "reason", FieldType.TEXT, label="Why the record was wrong", free_text=True
                ),
            ),
        ),
        ActionSpec(
            "erase_subject",
            "Erase the subject's personal data",
            sources=("open", "closed"),
            dest="erased",
            roles=(Role.ADMIN,),
            fields=(
                FieldSpec(
                    "legal_basis", FieldType.TEXT, label="Legal basis for erasure", free_text=True
                ),
            ),
            irreversible=True,
            help="Destroys the personal data and its salt; the history stays verifiable.",
        ),
        ActionSpec(
            "add_note",
            "Add a note",
            sources=("open",),
            dest="open",
            roles=_EVERY_CASEWORKER,
            fields=(FieldSpec("text", FieldType.TEXT, label="Note", free_text=True),),
        ),
        ActionSpec(
            "close_case",
            "Close the case",
            sources=("open",),
            dest="closed",
            roles=(Role.CASEWORK, Role.IMMIGRATION_OFFICER, Role.ADMIN),
            fields=(FieldSpec("reason", FieldType.TEXT, label="Why it is closed", free_text=True),),
            irreversible=True,
        ),
    ),
)
