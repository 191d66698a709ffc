"""The worklists as the interfaces read them: a queue's page of work items, and how many it holds.

Each read is one indexed query on the worklist read model (``casetracker.adapters.worklist``)
in its own read transaction, so the TUI can run it in a worker thread while the service's
kept write connection stays free.  The queues and the items themselves are domain vocabulary
(``casetracker.domain.queues``), which the interfaces import from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casetracker.adapters import worklist
from casetracker.domain.queues import WorkItem

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker


def page(service: Casetracker, queue: str, text: str = "", limit: int = 200) -> list[WorkItem]:
    """Up to ``limit`` items of ``queue`` (``ALL_CASES.name``: every case, newest first), most
    urgent first, filtered on ``text`` (a case id, a force, or words of the label)."""
    return worklist.page(service.engine, queue, text, limit)


def count(service: Casetracker, queue: str) -> int:
    """How many items ``queue`` holds, counted no further than the read model's cap."""
    return worklist.count(service.engine, queue)
