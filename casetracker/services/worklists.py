"""The worklists as the interfaces read them: a queue's page of work items, and how many it holds.

Each read is one indexed query on the worklist read model (``casetracker.adapters.worklist``)
in its own read transaction, so the TUI can run it in a worker thread while the service's
kept write connection stays free.  The queues and the items themselves are domain vocabulary
(``casetracker.domain.queues``), which the interfaces import from there.

A police user sees only their own force's items (``casetracker.domain.forces``): their queues
are read with the force as part of the index range (``ix_worklist_queue_force_due``), so a
filter, a search for a case id included, never finds another force's case.  They work no
"All cases" list, and a police user with no force sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casetracker.adapters import worklist
from casetracker.adapters.changes import ChangeFeed
from casetracker.domain.queues import ALL_CASES, MY_WORK, WorkItem

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker


def page(service: Casetracker, queue: str, text: str = "", limit: int = 200) -> list[WorkItem]:
    """Up to ``limit`` items of ``queue`` (``ALL_CASES.name``: every case, newest first), most
    urgent first, filtered on ``text`` (a case id, a force, or words of the label);
    ``MY_WORK.name``: the items the user holds, from every queue, soonest deadline first."""
    force = _force_of(service, queue)
    if force == _NOTHING:
        return []
    owner = service.actor.user if queue == MY_WORK.name else ""
    return worklist.page(service.engine, queue, text, limit, force=force, owner=owner)


def count(service: Casetracker, queue: str) -> int:
    """How many items ``queue`` holds, counted no further than the read model's cap."""
    force = _force_of(service, queue)
    if force == _NOTHING:
        return 0
    owner = service.actor.user if queue == MY_WORK.name else ""
    return worklist.count(service.engine, queue, force=force, owner=owner)


_NOTHING = "-"  # no force code is this: the user may see no item of the queue


def _force_of(service: Casetracker, queue: str) -> str | None:
    """The force whose items the user may see (None: every force's)."""
    actor = service.actor
    if not actor.force_bound:
        return None
    if not actor.force or queue == ALL_CASES.name:
        return _NOTHING
    return actor.force


def change_feed(service: Casetracker) -> ChangeFeed:
    """A feed that says when events were recorded since it was last asked (by anyone, on any
    machine): LISTEN/NOTIFY on PostgreSQL, a poll of the log's last position on SQLite.  A
    screen asks it on a timer and re-reads its queue only when it says so."""
    return ChangeFeed(service.engine)
