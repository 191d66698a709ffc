"""Four eyes: an action proposed by one person and authorised by another (issue 16 item 3).

Each proposal is an instance: proposed, then authorised, rejected (or withdrawn by its
proposer), or left to lapse (a deadline ``casetracker tick`` records; it then cannot be
authorised).  Which actions need it, who may authorise each and when a proposal lapses are in
``casetracker.domain.four_eyes``: the PACE extension by a superintendent (fn 17); detention and
removal directions by a second Home Office user, which is policy, not the report's
(docs/assumptions.md).  The authorised action is recorded in the same transaction as the
authorisation, as the authoriser's, by ``casetracker case authorise``; ``who`` fields are filled
in by casetracker with the acting user, never typed.
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

_PROPOSERS = (Role.POLICE, Role.IMMIGRATION_OFFICER, Role.CASEWORK)
_FOUR_EYES = ("extend_detention", "detain_under_immigration_powers", "set_removal_directions")


def _who(name: str, label: str) -> FieldSpec:
    return FieldSpec(name, FieldType.TEXT, required=False, label=label,
                     help="filled in by casetracker: the acting user")  # fmt: skip


DEFINITION = WorkflowSpec(
    name="authorisation",
    version=1,
    label="Authorisation",
    initial=NEW,
    many=True,
    cites="fn 17 (a superintendent extends detention); the Home Office's second user: policy",
    help="An action one person proposes and another authorises.",
    states=(
        StateSpec("proposed", "Proposed, awaiting authorisation"),
        StateSpec("authorised", "Authorised and recorded", terminal=True),
        StateSpec("rejected", "Rejected or withdrawn", terminal=True),
    ),
    actions=(
        ActionSpec(
            "propose_action",
            "Propose an action for a second person to authorise",
            sources=(NEW,),
            dest="proposed",
            roles=_PROPOSERS,
            fields=(
                FieldSpec("proposed_action", FieldType.CHOICE, label="Action", choices=_FOUR_EYES),
                FieldSpec(
                    "target",
                    FieldType.TEXT,
                    required=False,
                    label="For",
                    help="e.g. encounter#2, removal (default: the one the action acts on)",
                ),
                FieldSpec(
                    "proposed_fields",
                    FieldType.TEXT,
                    required=False,
                    label="Its fields",
                    help="the action's fields as JSON (casetracker fills it in)",
                ),
                _who("proposed_by", "Proposed by"),
            ),
            cites="fn 17",
        ),
        ActionSpec(
            "authorise_proposal",
            "Authorise a proposed action",
            sources=("proposed",),
            dest="authorised",
            roles=_PROPOSERS,
            fields=(_who("authorised_by", "Authorised by"),),
            cites="fn 17",
            help="Recorded with the action itself by `casetracker case authorise`.",
        ),
        ActionSpec(
            "reject_proposal",
            "Reject (or withdraw) a proposed action",
            sources=("proposed",),
            dest="rejected",
            roles=_PROPOSERS,
            fields=(
                FieldSpec("reason", FieldType.TEXT, label="Reason", free_text=True),
                _who("rejected_by", "Rejected by"),
            ),
        ),
    ),
)
