"""Whether an arrested person left police custody before an IO saw them, whether an IO was on
shift then, and whether the Home Office had already dealt with them (¶4.21–4.23).

File sampling found people leaving police custody before an IO saw them, most often when they
were charged and taken to court early the next morning before an IO came on shift, or released
because holding them overnight was not proportionate (¶4.22).  Every way of leaving police
custody therefore counts: release, no further action, police bail, remand or bail to court after
charge, and running away.  Leaving first is not always a loss: in Figure 1 the Home Office had
given reporting directions before each release, so the measure also says whether the Home Office
had acted on the person before they left, and management information reports the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from casetracker.domain.case_view import CaseView, Instance, Step
from casetracker.domain.organisation import Organisation
from casetracker.domain.rules.custody_suite import suite_at
from casetracker.domain.rules.field_values import as_text

# Each encounter action that takes the person out of police custody, and how it reads.
LEAVING = {
    "release_without_charge": "released",
    "take_no_further_action": "no further action",
    "bail": "bailed by the police",
    "remand": "charged and remanded by the court",
    "bail_to_court": "charged and bailed to court",
    "escape_custody": "ran away",
}
RELEASES = frozenset(LEAVING)
# Home Office steps that deal with an immigration offender while the police hold them: reporting
# directions (Figure 1), removal papers or a deportation decision (Figure 2, ¶4.32), a request to
# hold for the Home Office (Figure 1, 7 May 2016) or a handover to immigration detention.  The
# report gives reporting directions as its example; the rest of the list is this project's
# reading (docs/assumptions.md).
HOME_OFFICE_DEALT_WITH = frozenset(
    {
        "issue_reporting_directions",
        "serve_removal_papers",
        "make_deportation_decision",
        "request_immigration_hold",
        "detain_under_immigration_powers",
    }
)


@dataclass(frozen=True)
class IoCoverage:
    released: bool  # left police custody, by any way in LEAVING
    seen_by_io: bool  # seen by an IO before leaving (or at all, while still held)
    in_io_hours: bool | None  # at leaving; None when unknown (no suite, or an inexact time)
    release: Step | None = None  # the step that took the person out of police custody
    suite: str = ""  # the custody suite whose IO hours applied, when known
    home_office_acted: bool = False  # the Home Office had dealt with the person before leaving
    held_at: str = ""  # the suite they left from (or are held at), as recorded, transfers included

    @property
    def released_before_seen(self) -> bool:
        return self.released and not self.seen_by_io

    @property
    def left_by(self) -> str:
        """The action that took the person out of police custody, or ``""``."""
        return self.release.action if self.release else ""

    @property
    def reasons(self) -> tuple[str, ...]:
        """The facts in words; built on demand, as management information needs only the facts
        (for every arrest of a year)."""
        if self.release is None:
            return ("not released from police custody",)
        release = self.release
        reasons = (
            f"left police custody ({LEAVING[release.action]}) {release.effective.display()}",
            "seen by an IO first"
            if self.seen_by_io
            else "not seen by an IO before leaving police custody (¶4.21–4.22)",
            "the Home Office had dealt with them first (Figure 1)"
            if self.home_office_acted
            else "the Home Office had not dealt with them",
        )
        if self.in_io_hours is None:
            return (*reasons, "IO hours unknown: no configured suite or no exact release time")
        where = "inside" if self.in_io_hours else "outside"
        return (*reasons, f"{where} IO hours at {self.suite} (¶4.22)")


def io_coverage(encounter: Instance, org: Organisation, view: CaseView | None = None) -> IoCoverage:
    """Seen by an IO or out of police custody first; for a leaving, whether it fell inside IO
    hours and whether the Home Office had acted first (from ``view``'s other lifecycles, when
    given, as well as the encounter's own steps)."""
    release_at = next((i for i, s in enumerate(encounter.history) if s.action in RELEASES), None)
    if release_at is None:
        seen = encounter.first("record_seen_by_io") is not None
        return IoCoverage(False, seen, None, held_at=suite_at(encounter))
    release = encounter.history[release_at]
    before = encounter.history[:release_at]
    seen = any(s.action == "record_seen_by_io" for s in before)
    acted = _home_office_acted(encounter, release, view)
    left_from = suite_at(encounter, release_at)  # after a transfer, the suite moved to (¶4.13)
    force = org.force(as_text(encounter.fields.get("force")))
    suite = force.suite(left_from) if force else None
    if suite is None or not release.effective.is_exact:
        return IoCoverage(True, seen, None, release, home_office_acted=acted, held_at=left_from)
    in_hours = suite.in_io_hours(release.effective.start)
    return IoCoverage(True, seen, in_hours, release, suite.name, acted, left_from)


def _home_office_acted(encounter: Instance, release: Step, view: CaseView | None) -> bool:
    """A Home Office step effective between the arrest and the leaving (either end may be a
    whole day, as Figure 1's are: the two times need only overlap)."""
    arrested = encounter.started
    low = arrested.effective.start if arrested else release.effective.start
    high = release.effective.end
    steps = [step for _, step in view.steps] if view is not None else encounter.history
    return any(
        s.action in HOME_OFFICE_DEALT_WITH and s.effective.start < high and s.effective.end > low
        for s in steps
    )
