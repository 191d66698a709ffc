"""The worklists' vocabulary: which queues there are, which roles work each, and what an item is.

A queue is a question a caseworker asks every shift (DOMAIN.md, "Who acts"): CCU — which
referrals still await a status check, which DVA checks IOs asked of it (¶4.37); an IO — which
immigration offenders in police custody will be released first, which referrals still need CID
updating or papers serving (¶4.27), which ETDs are outstanding, who is listed as an absconder,
which removal directions fall due, which claims are undecided; the High Harm team — which
referred cases await enforcement (¶3.4); anyone who asked ACRO — which answers are awaited
(¶4.31).  These are facts about the work, not about storage: the read model
(``casetracker.adapters.worklist``) files each case's items under them, and the interfaces draw
them, so both take them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casetracker.domain.case_view import CaseView
from casetracker.domain.rules.field_values import as_text

NEVER = "9999-12-31T00:00:00Z"  # due time of an item with no date: sorts last


@dataclass(frozen=True)
class Queue:
    """One worklist: who works it and what its ``due`` time means."""

    name: str
    title: str
    roles: tuple[str, ...]
    due_means: str  # column heading for the urgency time
    countdown: bool = False  # due is a deadline (time left), not a start (waiting since)


QUEUES: dict[str, Queue] = {
    q.name: q
    for q in (
        Queue("status_check", "Awaiting status check", ("ccu",), "referred"),
        Queue(
            "offender_custody",
            "Offenders in custody",
            ("immigration_officer",),
            "PACE left",
            countdown=True,
        ),
        Queue("custody", "In custody", ("police",), "PACE left", countdown=True),
        Queue("local_check", "Local status checks", ("immigration_officer",), "referred"),
        Queue("joc", "Referred to the JOC", ("joc",), "referred"),
        Queue("etd", "ETD outstanding", ("immigration_officer",), "since"),
        Queue("absconder", "Absconders", ("immigration_officer",), "listed"),
        Queue("removal", "Removal directions", ("immigration_officer", "casework"), "due"),
        Queue("barrier", "Pending claims", ("immigration_officer", "casework"), "lodged"),
        Queue("criminal_casework", "Criminal Casework: deportation", ("casework",), "since"),
        Queue("high_harm_team", "High Harm team", ("casework",), "referred"),
        Queue("dva_requests", "DVA checks asked of CCU", ("ccu",), "asked"),
        Queue(
            "io_paperwork",
            "Papers to serve / CID to update",
            ("immigration_officer",),
            "due",
        ),
        Queue(
            "acro_awaited",
            "ACRO results awaited",
            ("police", "immigration_officer", "casework"),
            "requested",
        ),
        # claimed and verified nationality differ (¶4.1-4.2): who the person is needs settling
        Queue(
            "nationality_mismatch",
            "Nationality: verified differs from claimed",
            ("ccu", "immigration_officer"),
            "flagged",
        ),
        # four eyes (issue 16; casetracker.domain.four_eyes): proposals awaiting a second person
        Queue(
            "authorise_extension",
            "PACE extensions to authorise",
            ("police",),
            "lapses",
            countdown=True,
        ),
        Queue(
            "authorise_home_office",
            "Detention and removal to authorise",
            ("immigration_officer", "casework"),
            "lapses",
            countdown=True,
        ),
    )
}
ALL_CASES = Queue("all", "All cases", ("auditor", "trainer", "admin"), "updated")
# The items the user holds, from every queue, soonest deadline first (issue 16).
MY_WORK = Queue(
    "mine",
    "My work",
    ("police", "ccu", "joc", "immigration_officer", "casework", "supervisor", "admin"),
    "due",
)


SUPERVISOR = "supervisor"


def queues_for(role: str) -> list[Queue]:
    """The queues a role works, in the order its screen shows them (every role gets one)."""
    if role == SUPERVISOR:  # reassigns the items of every queue, so sees every queue
        found = list(QUEUES.values())
    else:
        found = [q for q in QUEUES.values() if role in q.roles] or [ALL_CASES]
    return [*found, MY_WORK] if role in MY_WORK.roles else found


@dataclass(frozen=True)
class WorkItem:
    """One thing to do on one case: the lifecycle instance it is about, and when it is due."""

    queue: str
    case_id: str
    item: str  # the lifecycle instance the row is about, e.g. "encounter#2"
    due: str  # UTC text, sortable; NEVER when unknown
    force: str
    label: str
    owner: str = ""  # who holds the item (casetracker.domain.ownership); "" nobody
    deadline: str = NEVER  # UTC text of its nearest pending deadline (casetracker.domain.deadlines)
    deadline_kind: str = ""  # that deadline's ``Deadline.kind`` ("pace_expiry"); "" when none

    @property
    def deadline_time(self) -> datetime | None:
        if self.deadline == NEVER or not self.deadline:
            return None
        return datetime.fromisoformat(self.deadline.replace("Z", "+00:00"))

    @property
    def due_time(self) -> datetime | None:
        if self.due == NEVER or not self.due:
            return None
        return datetime.fromisoformat(self.due.replace("Z", "+00:00"))


def case_force(view: CaseView) -> str:
    """The force a case's items are filed under: the force of the latest arrest, else the one
    the case was opened with."""
    for encounter in reversed(view.of("encounter")):
        force = as_text(encounter.fields.get("force"))
        if force:
            return force.upper()
    opened = view.one("case")
    return as_text(opened.fields.get("force")).upper() if opened else ""
