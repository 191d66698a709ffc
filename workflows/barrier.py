"""Barriers to removal: claims and legal challenges, any number of them, in parallel.

An undecided asylum or human-rights claim stops removal directions being set; a pre-action
protocol letter is shown but stops nothing; a judicial review lodged against directions defers
them (Figure 1 comments).  Appeals are barriers too (Figure 1's commentary: "claims or
appeals"): the tribunal dismisses one, lifting it, or allows it, keeping removal stopped.  Those
effects are read from these instances by guards on the removal lifecycle, so a claim is recorded
once and every rule sees it.
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

BARRIER_KINDS = ("asylum", "human_rights", "pre_action_protocol", "judicial_review", "appeal")

_HOME_OFFICE = (Role.IMMIGRATION_OFFICER, Role.CASEWORK)

DEFINITION = WorkflowSpec(
    name="barrier",
    version=1,
    label="Claim or challenge",
    initial=NEW,
    many=True,
    cites="Figure 1",
    help="Asylum and human-rights claims, pre-action letters, judicial reviews and appeals.",
    states=(
        StateSpec("lodged", "Lodged, undecided"),
        StateSpec("refused", "Refused", terminal=True),
        StateSpec("granted", "Granted", terminal=True),
        StateSpec("withdrawn", "Withdrawn", terminal=True),
        StateSpec("appeal_dismissed", "Appeal dismissed by the tribunal", terminal=True),
        StateSpec("appeal_allowed", "Appeal allowed by the tribunal", terminal=True),
    ),
    actions=(
        ActionSpec(
            "lodge_claim",
            "Record a claim or challenge",
            sources=(NEW,),
            dest="lodged",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec("kind", FieldType.CHOICE, label="Kind", choices=BARRIER_KINDS),
                FieldSpec(
                    "against",
                    FieldType.CHOICE,
                    required=False,
                    label="Challenges",
                    choices=("removal_directions", "removal", "refusal", "other"),
                ),
            ),
            cites="Figure 1 (4 Oct 2013, May 2014, 31 May 2016, 24 Jun 2016)",
        ),
        ActionSpec(
            "refuse_claim",
            "Record the claim as refused",
            sources=("lodged",),
            dest="refused",
            roles=_HOME_OFFICE,
            guards=("decision_fits_barrier",),
            cites="Figure 1 (15 Apr 2014, 26 May 2016)",
        ),
        ActionSpec(
            "grant_claim",
            "Record the claim as granted",
            sources=("lodged",),
            dest="granted",
            roles=_HOME_OFFICE,
            guards=("decision_fits_barrier",),
        ),
        ActionSpec(
            "withdraw_claim",
            "Record the claim as withdrawn",
            sources=("lodged",),
            dest="withdrawn",
            roles=_HOME_OFFICE,
        ),
        ActionSpec(
            "dismiss_appeal",
            "Record the appeal as dismissed by the tribunal",
            sources=("lodged",),
            dest="appeal_dismissed",
            roles=_HOME_OFFICE,
            guards=("decision_fits_barrier",),
            cites="Figure 1 comments",
            help="Lifts the barrier: removal may go ahead.",
        ),
        ActionSpec(
            "allow_appeal",
            "Record the appeal as allowed by the tribunal",
            sources=("lodged",),
            dest="appeal_allowed",
            roles=_HOME_OFFICE,
            guards=("decision_fits_barrier",),
            cites="Figure 1 comments",
            help="Keeps removal stopped until liability is decided afresh.",
        ),
    ),
)
