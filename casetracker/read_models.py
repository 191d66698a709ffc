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


def _worklist(conn: Connection, view: CaseView) -> None:
    """Each role's queues, ordered by urgency (``casetracker.worklist``)."""
    from casetracker.worklist import refresh

    refresh(conn, view)


def _management_information(conn: Connection, view: CaseView) -> None:
    """Referral, release, duration and High Harm rows for the reports (``casetracker.mi_model``)."""
    from casetracker.mi_model import refresh

    refresh(conn, view)


READ_MODELS: tuple[ReadModel, ...] = (_worklist, _management_information)


def update(conn: Connection, view: CaseView) -> None:
    for model in READ_MODELS:
        model(conn, view)
