"""Whether one case's chain verifies, event by event: the audit screen's "chain" line.

The same walk ``casetracker verify`` falls back on to name what is wrong
(``casetracker.integrity.event_checks.walk``), over one case's stored rows: each event's hash
over its stored columns, the links, the sequence, the stored types, the realm and the legality
of each step, and the case's row in the current-state table.  The walk stops at the first
damaged event, so every event before it verifies and none from it on does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casetracker.adapters.database import read_transaction
from casetracker.adapters.store import normalise_case_id
from casetracker.integrity import dbapi
from casetracker.integrity.event_checks import COLUMNS, PROJECTED, walk
from casetracker.services.integrity import CaseDamage

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker

CASE_EVENTS_QUERY = f"SELECT {', '.join(COLUMNS)} FROM events WHERE case_id = ? ORDER BY seq"
CASE_ROW_QUERY = f"SELECT {PROJECTED} FROM cases WHERE case_id = ?"


@dataclass(frozen=True)
class CaseCheck:
    """What the walk found wrong with one case (nothing, when it is intact)."""

    case_id: str
    damaged: list[CaseDamage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damaged

    def verifies_through(self, seq: int) -> bool:
        """Whether the chain verifies from the first event up to event ``seq``."""
        return not any(d.seq is not None and d.seq <= seq for d in self.damaged)


def verify_case(service: Casetracker, case_id: str) -> CaseCheck:
    """Walk the chain of ``case_id`` as ``verify`` walks every case, in one read transaction."""
    case_id = normalise_case_id(case_id)
    with read_transaction(service.engine) as conn:
        raw = conn.connection.dbapi_connection
        projected = {
            r[0]: tuple(r[1:])
            for rows in dbapi.batches(raw, CASE_ROW_QUERY, (case_id,))
            for r in rows
        }
        with dbapi.tolerant_text(raw):
            rows = [r for batch in dbapi.batches(raw, CASE_EVENTS_QUERY, (case_id,)) for r in batch]
    part = walk(rows, projected, service.flow.replay_table(), service.realm)
    found = [*part.damaged, *part.foreign]
    return CaseCheck(case_id, [CaseDamage(d.case_id, d.seq, d.position, d.problem) for d in found])
