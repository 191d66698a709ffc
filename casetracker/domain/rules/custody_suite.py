"""Which custody suite holds an arrested person: the arrest's suite, moved by each transfer.

The police take immigration offenders to the suites where IOs work: London's hubs (¶4.13), the
West Midlands' two central suites (¶4.16), West Yorkshire's rota suite (¶4.19).  An encounter
records the arrest's suite and each transfer as steps carrying ``custody_suite``, so the suite at
any point of the encounter is the last one named before it.  Release before an IO saw someone
is measured at the suite they left from (¶4.21–4.23), which is why the point matters.
"""

from __future__ import annotations

from casetracker.domain.case_view import Instance
from casetracker.domain.rules.field_values import as_text

TRANSFER_ACTION = "transfer_to_suite"


def suite_at(encounter: Instance, steps: int | None = None) -> str:
    """The suite named last in the encounter's first ``steps`` steps (all of them when None);
    ``""`` when none was recorded."""
    suite = ""
    for step in encounter.history[:steps]:
        named = as_text(step.fields.get("custody_suite"))
        if named:
            suite = named
    return suite
