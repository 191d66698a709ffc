"""How many events the log holds: the total a long command's progress counts towards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casetracker.adapters.database import read_transaction
from casetracker.adapters.rebuilt_cases import last_position

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker


def events_in_log(service: Casetracker) -> int:
    """The last global position, which is the number of events (positions run 1, 2, 3 …;
    verify reports a gap).  One indexed lookup, so asking costs nothing beside the work."""
    with read_transaction(service.engine) as conn:
        return last_position(conn)
