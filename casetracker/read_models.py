"""Query tables kept beside the projection, updated in the same transaction as each event.

The projection (``cases.state``) says what state each lifecycle is in; screens such as a
worklist also need derived facts (a PACE deadline, an undecided claim) that can be indexed.
Each read model here is a function ``(connection, case view after the event) -> None``; every
one is rebuilt from the log by ``casetracker rebuild``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from casetracker.case_view import CaseView

Refresh = Callable[[Connection, CaseView], None]
Rebuild = Callable[[Engine, Any, Callable[[int], None] | None], int]


@dataclass(frozen=True)
class ReadModel:
    """A derived table: refreshed for one case in each action's transaction, rebuilt whole
    from the log by ``casetracker rebuild``."""

    name: str
    refresh: Refresh
    rebuild: Rebuild


def _worklist_refresh(conn: Connection, view: CaseView) -> None:
    from casetracker.worklist import refresh

    refresh(conn, view)


def _worklist_rebuild(engine: Engine, flow: Any, progress: Callable[[int], None] | None) -> int:
    from casetracker.worklist import rebuild

    return rebuild(engine, flow, progress)


def _mi_refresh(conn: Connection, view: CaseView) -> None:
    from casetracker.mi_model import refresh

    refresh(conn, view)


def _mi_rebuild(engine: Engine, flow: Any, progress: Callable[[int], None] | None) -> int:
    from casetracker.mi_model import rebuild

    return rebuild(engine, flow, progress)


READ_MODELS: tuple[ReadModel, ...] = (
    ReadModel("worklist", _worklist_refresh, _worklist_rebuild),
    ReadModel("report tables", _mi_refresh, _mi_rebuild),
)


def update(conn: Connection, view: CaseView) -> None:
    for model in READ_MODELS:
        model.refresh(conn, view)
