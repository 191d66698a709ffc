"""Whether an arrested person was seen by an IO before release, and if not, whether an IO was on
shift (¶4.21–4.23).

File sampling found release before an IO saw the person more likely out of hours, when no
embedded IO was available (¶4.21); this derives the fact per encounter so that management
information can count it, in and out of IO hours, without anyone recording it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from casetracker.domain.case_view import Instance, Step
from casetracker.domain.organisation import Organisation
from casetracker.domain.rules.field_values import as_text

RELEASES = frozenset({"release_without_charge", "take_no_further_action", "bail"})


@dataclass(frozen=True)
class IoCoverage:
    released: bool
    seen_by_io: bool
    in_io_hours: bool | None  # at release; None when unknown (no suite, or an inexact time)
    release: Step | None = None  # the release from police custody, if there was one
    suite: str = ""  # the custody suite whose IO hours applied, when known

    @property
    def released_before_seen(self) -> bool:
        return self.released and not self.seen_by_io

    @property
    def reasons(self) -> tuple[str, ...]:
        """The facts in words; built on demand, as management information needs only the facts
        (for every arrest of a year)."""
        if self.release is None:
            return ("not released from police custody",)
        release = self.release
        reasons = (
            f"released ({release.action.replace('_', ' ')}) {release.effective.display()}",
            "seen by an IO first"
            if self.seen_by_io
            else "not seen by an IO before release (¶4.21)",
        )
        if self.in_io_hours is None:
            return (*reasons, "IO hours unknown: no configured suite or no exact release time")
        where = "inside" if self.in_io_hours else "outside"
        return (*reasons, f"{where} IO hours at {self.suite} (¶4.22)")


def io_coverage(encounter: Instance, org: Organisation) -> IoCoverage:
    """Seen by an IO or released first; for a release, whether it fell inside IO hours."""
    seen = encounter.first("record_seen_by_io") is not None
    release = next((s for s in encounter.history if s.action in RELEASES), None)
    if release is None:
        return IoCoverage(False, seen, None)
    force = org.force(as_text(encounter.fields.get("force")))
    suite = force.suite(as_text(encounter.fields.get("custody_suite"))) if force else None
    if suite is None or not release.effective.is_exact:
        return IoCoverage(True, seen, None, release)
    return IoCoverage(True, seen, suite.in_io_hours(release.effective.start), release, suite.name)
