"""CID update: an IO's update of CID after a referral, and the papers it produces (¶4.27).

IOs update CID with any action they took as a result of a CCU referral, and CID generates the
paperwork needed, such as written instructions to report for someone leaving police custody
(¶4.27).  One instance per update, naming the status check it follows (guard
``cid_update_follows_referral``: the check is with an IO, and every action reported is on this
record).  An update that produces papers leaves them to serve until the IO records serving them;
both wait in the IO's "papers to serve / CID to update" queue.  Where the suite has no CID, the
IO updates it from the ICE office (¶4.28); the step is the same.
"""

from casetracker.domain.rules.cid_update import CID_ACTIONS, PAPERS, WITH_PAPERS
from casetracker.domain.vocabulary import (
    NEW,
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)

_IO = (Role.IMMIGRATION_OFFICER,)
_UPDATE = (
    FieldSpec(
        "status_check",
        FieldType.INTEGER,
        label="Status check number",
        help="The referral the IO acted on.",
    ),
    FieldSpec(
        "action_taken",
        FieldType.CHOICES,
        label="Action taken",
        choices=tuple(CID_ACTIONS),
        help="Each must already be on this record.",
    ),
)

DEFINITION = WorkflowSpec(
    name="cid_update",
    version=1,
    label="CID update",
    initial=NEW,
    many=True,
    cites="¶4.27–4.28",
    help="An IO's update of CID after a referral, and serving the papers CID produced.",
    states=(
        StateSpec("cid_updated", "CID updated", terminal=True),
        StateSpec("papers_to_serve", "CID updated; papers to serve"),
        StateSpec("papers_served", "Papers served", terminal=True),
    ),
    actions=(
        ActionSpec(
            "update_cid",
            "Update CID with the action taken",
            sources=(NEW,),
            dest="cid_updated",
            roles=_IO,
            fields=_UPDATE,
            guards=("cid_update_follows_referral",),
            cites="¶4.27",
        ),
        ActionSpec(
            WITH_PAPERS,
            "Update CID and produce the papers to serve",
            sources=(NEW,),
            dest="papers_to_serve",
            roles=_IO,
            fields=(
                *_UPDATE,
                FieldSpec(
                    "papers",
                    FieldType.CHOICES,
                    label="Papers produced",
                    choices=tuple(PAPERS),
                    help="E.g. written instructions to report, for someone being released.",
                ),
            ),
            guards=("cid_update_follows_referral",),
            cites="¶4.27",
        ),
        ActionSpec(
            "serve_cid_papers",
            "Serve the papers CID produced",
            sources=("papers_to_serve",),
            dest="papers_served",
            roles=_IO,
            cites="¶4.27",
            help="Before the person leaves police custody, where they are still held.",
        ),
    ),
)
