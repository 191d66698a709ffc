"""Who holds each piece of work, and when the system noticed that a deadline passed (issue 16).

One instance per case that never leaves its one state: each action is a fact about the work on
the case, not a step of the person's story.  An item is a row of a queue (``queue`` and the
lifecycle instance it is about, ``item``); claiming, releasing and reassigning it are events like
any other, so "who held it when" is in the chained log.  ``deadline_passed`` is recorded by
``casetracker tick`` alone, as the user ``system`` in the role ``system``, which no person holds
(``casetracker.domain.deadlines``); its effective time is the deadline itself and its recorded
time is when the system noticed.  The report says nothing about owners or queues' mechanics:
every rule here is this project's (docs/assumptions.md).
"""

from casetracker.domain.vocabulary import (
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)

# Everyone who works a queue (DOMAIN.md "Who acts"); auditors and trainers only read.
_WORKERS = (
    Role.POLICE,
    Role.CCU,
    Role.JOC,
    Role.IMMIGRATION_OFFICER,
    Role.CASEWORK,
    Role.SUPERVISOR,
    Role.ADMIN,
)
_HOLDER = FieldSpec(
    "owner",
    FieldType.TEXT,
    required=False,
    label="Holder",
    help="filled in by casetracker: who claims or releases (always the actor)",
)
_ITEM = (
    FieldSpec("queue", FieldType.TEXT, label="Queue", help="e.g. offender_custody"),
    FieldSpec(
        "item", FieldType.TEXT, label="Item", help="the lifecycle instance, e.g. encounter#2"
    ),
)

DEFINITION = WorkflowSpec(
    name="work",
    version=1,
    label="Work on the case",
    cites="fn 17 (the PACE clock); owners and the other intervals: report silent",
    initial="tracked",
    help="Owners of the case's work items, and deadlines the system saw pass.",
    states=(StateSpec("tracked", "Tracked"),),
    actions=(
        ActionSpec(
            "claim_item",
            "Claim a work item",
            sources=("tracked",),
            dest="tracked",
            roles=_WORKERS,
            fields=(*_ITEM, _HOLDER),
            help="You hold it until you release it or a supervisor reassigns it.",
        ),
        ActionSpec(
            "release_item",
            "Release a work item",
            sources=("tracked",),
            dest="tracked",
            roles=_WORKERS,
            fields=(*_ITEM, _HOLDER),
        ),
        ActionSpec(
            "reassign_item",
            "Reassign a work item",
            sources=("tracked",),
            dest="tracked",
            roles=(Role.SUPERVISOR, Role.ADMIN),
            fields=(
                *_ITEM,
                FieldSpec("owner", FieldType.TEXT, label="New owner", help="a registered user"),
            ),
        ),
        ActionSpec(
            "deadline_passed",
            "Record that a deadline passed",
            sources=("tracked",),
            dest="tracked",
            roles=(Role.SYSTEM,),
            fields=(
                FieldSpec("deadline", FieldType.TEXT, label="Deadline"),
                FieldSpec("kind", FieldType.TEXT, label="Kind"),
                FieldSpec("item", FieldType.TEXT, label="Item"),
                FieldSpec("due", FieldType.TEXT, label="Due (UTC)"),
            ),
            help="Recorded by `casetracker tick` only, as the user system.",
        ),
    ),
)
