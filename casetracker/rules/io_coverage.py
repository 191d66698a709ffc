"""Whether an arrested person was seen by an IO before release, and if not, whether an IO was on
shift (¶4.21–4.23).

File sampling found release before an IO saw the person more likely out of hours, when no
embedded IO was available (¶4.21); this derives the fact per encounter so that management
information can count it, in and out of IO hours, without anyone recording it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from casetracker.case_view import Instance
from casetracker.organisation import Organisation
from casetracker.rules.field_values import as_text

RELEASES = frozenset({"release_without_charge", "take_no_further_action", "bail"})


@dataclass(frozen=True)
class IoCoverage:
    released: bool
    seen_by_io: bool
    in_io_hours: bool | None  # at release; None when unknown (no suite, or an inexact time)
    reasons: tuple[str, ...]

    @property
    def released_before_seen(self) -> bool:
        return self.released and not self.seen_by_io


def io_coverage(encounter: Instance, org: Organisation) -> IoCoverage:
    """Seen by an IO or released first; for a release, whether it fell inside IO hours."""
    seen = encounter.first("record_seen_by_io") is not None
    release = next((s for s in encounter.history if s.action in RELEASES), None)
    if release is None:
        return IoCoverage(False, seen, None, ("not released from police custody",))
    reasons = [
        f"released ({release.action.replace('_', ' ')}) {release.effective.display()}",
        "seen by an IO first" if seen else "not seen by an IO before release (¶4.21)",
    ]
    force = org.force(as_text(encounter.fields.get("force")))
    suite = force.suite(as_text(encounter.fields.get("custody_suite"))) if force else None
    if suite is None or not release.effective.is_exact:
        reasons.append("IO hours unknown: no configured suite or no exact release time")
        return IoCoverage(True, seen, None, tuple(reasons))
    on_shift = suite.in_io_hours(release.effective.start)
    reasons.append(f"{'inside' if on_shift else 'outside'} IO hours at {suite.name} (¶4.22)")
    return IoCoverage(True, seen, on_shift, tuple(reasons))
