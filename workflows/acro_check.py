"""ACRO check: a request to a country of origin for previous convictions (¶4.31).

Police request one for every arrested foreign national; the Home Office must request its own
before it may act on a result that is not on the Serious Offence List (fn 20), so the requester
is part of the instance (two starting actions).  A HOSOL result goes onto PNC and to Criminal
Casework for deportation (¶4.32).  Who may *see* a non-HOSOL result depends on the force's
sharing policy (¶4.35): that is derived by ``casetracker.domain.rules.hosol.acro_visibility``.
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

_RESULT_FIELDS = (
    FieldSpec(
        "conviction_categories",
        FieldType.TEXT_LIST,
        label="Offence category of each conviction",
        help="One entry per conviction, repeated when convicted more than once (fn 8).",
    ),
    FieldSpec(
        "merited_significant_custody",
        FieldType.BOOLEAN,
        required=False,
        label="Merited a significant custodial sentence, singly or together",
        help="fn 19: such offences meet the Serious Offence List even if none is of a listed kind.",
    ),
)
_REQUEST_FIELDS = (
    FieldSpec("force", FieldType.TEXT, label="Police force code"),
    FieldSpec("country", FieldType.TEXT, label="Country asked", personal=True),
)
_RECORDERS = (Role.POLICE, Role.IMMIGRATION_OFFICER, Role.CASEWORK)

DEFINITION = WorkflowSpec(
    name="acro_check",
    version=1,
    label="ACRO check",
    initial=NEW,
    many=True,
    cites="¶4.31–4.35, fn 19–20",
    help="A criminal-record check with the subject's country of origin, and what it found.",
    states=(
        StateSpec("requested", "Requested"),
        StateSpec("no_record", "No convictions found", terminal=True),
        StateSpec("no_response", "No response", terminal=True),
        StateSpec("hosol_result", "Serious Offence List result"),
        StateSpec("non_hosol_result", "Result below the Serious Offence List", terminal=True),
        StateSpec(
            "referred_to_criminal_casework", "On PNC, referred to Criminal Casework", terminal=True
        ),
    ),
    actions=(
        ActionSpec(
            "request_acro_check",
            "Request an ACRO check (police)",
            sources=(NEW,),
            dest="requested",
            roles=(Role.POLICE,),
            fields=_REQUEST_FIELDS,
            guards=("known_force",),
            cites="¶4.31",
        ),
        ActionSpec(
            "request_immigration_acro_check",
            "Request a second ACRO check for immigration purposes",
            sources=(NEW,),
            dest="requested",
            roles=(Role.IMMIGRATION_OFFICER, Role.CASEWORK),
            fields=_REQUEST_FIELDS,
            guards=("known_force",),
            cites="fn 20, ¶4.35",
            help="Needed before immigration action on a non-HOSOL result.",
        ),
        ActionSpec(
            "record_acro_no_record",
            "Record that no convictions were found",
            sources=("requested",),
            dest="no_record",
            roles=_RECORDERS,
        ),
        ActionSpec(
            "record_acro_no_response",
            "Record that the country did not respond",
            sources=("requested",),
            dest="no_response",
            roles=_RECORDERS,
            cites="¶4.31",
        ),
        ActionSpec(
            "record_hosol_result",
            "Record a result on the Serious Offence List",
            sources=("requested",),
            dest="hosol_result",
            roles=_RECORDERS,
            fields=_RESULT_FIELDS,
            guards=("hosol_classification",),
            cites="¶4.32, fn 19",
        ),
        ActionSpec(
            "record_non_hosol_result",
            "Record a result below the Serious Offence List",
            sources=("requested",),
            dest="non_hosol_result",
            roles=_RECORDERS,
            fields=_RESULT_FIELDS,
            guards=("hosol_classification",),
            cites="¶4.32–4.35, fn 20",
        ),
        ActionSpec(
            "refer_to_criminal_casework",
            "Record on PNC and refer to Criminal Casework",
            sources=("hosol_result",),
            dest="referred_to_criminal_casework",
            roles=(Role.POLICE,),
            cites="¶4.32",
        ),
    ),
)
