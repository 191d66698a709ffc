"""Query tables kept beside the projection, updated in the same transaction as each event.

The projection (``cases.state``) says what state each lifecycle is in; screens such as a
worklist also need derived facts (a PACE deadline, an undecided claim) that can be indexed.
Each read model here is a function ``(connection, case view after the event) -> None``; every
one is rebuilt from the log by ``casetracker rebuild``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from casetracker.case_view import CaseView

ReadModel = Callable[[Connection, CaseView], None]

READ_MODELS: tuple[ReadModel, ...] = ()


def update(conn: Connection, view: CaseView) -> None:
    for model in READ_MODELS:
        model(conn, view)
