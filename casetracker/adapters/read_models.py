"""Query tables kept beside the projection, updated in the same transaction as each event.

The projection (``cases.state``) says what state each lifecycle is in; screens such as a
worklist also need derived facts (a PACE deadline, an undecided claim) that can be indexed.
Each read model is a pure function from a case view to the rows the case contributes, and a
writer that replaces the case's rows; every one is rebuilt from the log by ``casetracker
rebuild``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from casetracker.adapters import deadlines, mi_model, worklist
from casetracker.domain.case_view import CaseView

Rows = Callable[[CaseView], Any]
Replace = Callable[[Connection, str, Any], None]
Rebuild = Callable[[Engine, Any, Callable[[int], None] | None], int]


@dataclass(frozen=True)
class ReadModel:
    """A derived table: the rows one case contributes (pure), how to replace them in each
    action's transaction, and how to rebuild the whole table from the log."""

    name: str
    rows: Rows
    replace: Replace
    rebuild: Rebuild


READ_MODELS: tuple[ReadModel, ...] = (
    ReadModel("worklist", worklist.rows_for, worklist.replace, worklist.rebuild),
    ReadModel("report tables", mi_model.case_rows, mi_model.replace, mi_model.rebuild),
    ReadModel("deadlines", deadlines.rows_for, deadlines.replace, deadlines.rebuild),
)

_UNKNOWN = object()


def update(conn: Connection, view: CaseView) -> None:
    """Bring every read model in line with ``view``, writing only what changed.

    ``view.written`` remembers the rows this process last wrote for the case at the view's
    previous version (a view folded afresh from the log knows nothing, so it writes): most
    actions - a note, a served paper - leave a case's worklist and report rows as they were,
    and skipping those statements is a third of an action's cost.
    """
    written = view.written
    for model in READ_MODELS:
        rows = model.rows(view)
        if written.get(model.name, _UNKNOWN) != rows:
            model.replace(conn, view.case_id, rows)
            written[model.name] = rows
