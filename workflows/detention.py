"""Detention: where the subject is held, or that they are at liberty.

One instance per case, for the whole of the subject's time in the record: Figure 1 passes through
police custody, prison, immigration detention and temporary release again and again.  It shows
where the person is; the encounter shows why the police hold them.

The two never disagree: the police end their hold on the encounter first (charge and remand,
release, bail, hand-over to immigration detention, or an escape), and only then does the
detention record move out of police custody (``police_custody_ended``; fn 17, ¶3.2, Figure 1
7–8 May 2016, Figure 2).  An arrest is recorded on the encounter before the entry to police
custody here (``arrest_in_progress``).
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
_HELD = ("police_custody", "prison", "immigration_detention")
_AFTER_POLICE = ("police_custody_ended",)

DEFINITION = WorkflowSpec(
    name="detention",
    version=1,
    label="Detention",
    initial="at_liberty",
    cites="Figure 1, Figure 2, ¶4.27",
    help="Where the subject is held now.",
    states=(
        StateSpec("at_liberty", "At liberty"),
        StateSpec("police_custody", "In police custody"),
        StateSpec("prison", "Remanded or serving a sentence"),
        StateSpec("immigration_detention", "In immigration detention"),
        StateSpec(
            "temporary_release",
            "Released on reporting restrictions",
            help="Temporary release: the subject must report to the Home Office.",
        ),
        StateSpec("removed", "Removed from the UK", terminal=True),
    ),
    actions=(
        ActionSpec(
            "enter_police_custody",
            "Record entry to police custody",
            sources=("at_liberty", "temporary_release"),
            dest="police_custody",
            roles=(Role.POLICE,),
            guards=("arrest_in_progress",),
            help="Follows an arrest recorded as an encounter.",
        ),
        ActionSpec(
            "enter_prison",
            "Record remand or imprisonment",
            sources=("police_custody",),
            dest="prison",
            roles=(Role.POLICE, *_HOME_OFFICE),
            fields=(
                FieldSpec("basis", FieldType.CHOICE, label="Basis", choices=("remand", "sentence")),
            ),
            guards=_AFTER_POLICE,
            help="Follows a remand recorded on the encounter.",
        ),
        ActionSpec(
            "detain_under_immigration_powers",
            "Detain under immigration powers",
            sources=("at_liberty", "temporary_release", "police_custody", "prison"),
            dest="immigration_detention",
            roles=_HOME_OFFICE,
            guards=_AFTER_POLICE,
            cites="¶3.2, fn 17, Figure 1 (16 Oct 2013, 8 May 2016), Figure 2",
            help="From police custody, follows the hand-over recorded on the encounter.",
        ),
        ActionSpec(
            "release_on_reporting_restrictions",
            "Release on reporting restrictions",
            sources=_HELD,
            dest="temporary_release",
            roles=_HOME_OFFICE,
            guards=_AFTER_POLICE,
            cites="¶3.2, ¶4.27, Figure 1",
        ),
        ActionSpec(
            "release_to_liberty",
            "Record release or escape without immigration restrictions",
            sources=_HELD,
            dest="at_liberty",
            roles=(Role.POLICE, *_HOME_OFFICE),
            fields=(
                FieldSpec(
                    "reason",
                    FieldType.CHOICE,
                    label="Reason",
                    choices=("released", "escaped", "bailed"),
                ),
            ),
            guards=_AFTER_POLICE,
            cites="¶4.21–4.22, Figure 1 (6–7 Nov 2015)",
        ),
        ActionSpec(
            "mark_removed",
            "Record that the subject has left the UK on removal",
            sources=("immigration_detention", "temporary_release", "at_liberty", "prison"),
            dest="removed",
            roles=_HOME_OFFICE,
            guards=("removal_completed",),
            irreversible=True,
        ),
    ),
)
