"""Reporting and absconding: the conditions of temporary release and what happens when broken.

One instance per case that cycles.  Figure 1 lists the subject as an absconder twice: after he
stopped reporting in April 2014, and again after he missed the directions of May 2014.  Listing
can only follow a recorded failure to report; a listed absconder who is arrested again is
recognised by ``reencounter`` (guard ``reencounter_follows_listing``), and the listing stands
until new directions are issued.
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
_UNDER_DIRECTIONS = ("directions_issued", "reporting")

DEFINITION = WorkflowSpec(
    name="reporting",
    version=1,
    label="Reporting",
    initial="no_directions",
    cites="¶3.2, ¶4.27, Figure 1",
    help="Directions to report to the Home Office, compliance, and absconder listings.",
    states=(
        StateSpec("no_directions", "No reporting directions"),
        StateSpec("directions_issued", "Reporting directions issued"),
        StateSpec("reporting", "Reporting"),
        StateSpec("stopped_reporting", "Stopped reporting"),
        StateSpec("listed_absconder", "Listed as an absconder"),
        StateSpec("reencountered", "Absconder re-encountered"),
    ),
    actions=(
        ActionSpec(
            "issue_reporting_directions",
            "Issue reporting directions",
            sources=("no_directions", "reencountered", *_UNDER_DIRECTIONS, "stopped_reporting"),
            dest="directions_issued",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec("report_at", FieldType.TEXT, required=False, label="Reporting centre"),
                FieldSpec("first_report_on", FieldType.DATE, required=False, label="First report"),
            ),
            cites="¶3.2, ¶4.27",
            help="CID produces the written instructions given on release (¶4.27).",
        ),
        ActionSpec(
            "record_report_made",
            "Record a report made",
            sources=_UNDER_DIRECTIONS,
            dest="reporting",
            roles=_HOME_OFFICE,
        ),
        ActionSpec(
            "record_missed_reporting",
            "Record that the subject stopped reporting",
            sources=_UNDER_DIRECTIONS,
            dest="stopped_reporting",
            roles=_HOME_OFFICE,
            cites="Figure 1 (18 Apr 2014, 2014)",
        ),
        ActionSpec(
            "resume_reporting",
            "Record that the subject reported again",
            sources=("stopped_reporting",),
            dest="reporting",
            roles=_HOME_OFFICE,
        ),
        ActionSpec(
            "list_as_absconder",
            "List as an absconder",
            sources=("stopped_reporting",),
            dest="listed_absconder",
            roles=_HOME_OFFICE,
            cites="Figure 1 (1 May 2014, 19 Jun 2014)",
        ),
        ActionSpec(
            "reencounter",
            "Record that a listed absconder has been encountered",
            sources=("listed_absconder",),
            dest="reencountered",
            roles=(Role.CCU, Role.JOC, *_HOME_OFFICE),
            guards=("reencounter_follows_listing",),
            cites="Figure 1 (22 May 2014, 6 Nov 2015)",
        ),
        ActionSpec(
            "end_reporting",
            "End reporting",
            sources=(*_UNDER_DIRECTIONS, "stopped_reporting", "listed_absconder", "reencountered"),
            dest="no_directions",
            roles=_HOME_OFFICE,
            help="The subject is detained, removed or granted leave.",
        ),
    ),
)
