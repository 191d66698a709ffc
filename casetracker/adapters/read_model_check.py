"""Whether the stored read-model rows are those the log derives: ``verify --thorough``.

The worklist, the deadlines and the report tables are what caseworkers, ``tick`` and MI act
on.  Any writer of the SQLite file, and on PostgreSQL any member of the application role
(docs/postgresql.md), can change them: a deleted deadline row would never be recorded as
missed.  This derives every case's rows again from the log, as ``rebuild`` does, and compares
them with the stored ones through each model's own ``unchanged`` (the comparison an action
makes), and finds rows kept for a case that should have none (or has no events).  It costs
about what ``rebuild`` costs, so only the thorough verify runs it.  The process map's
``flow_steps`` is compared, row for row, where each action keeps it (PostgreSQL, where any
member may rewrite any force's steps: the table is not filtered); on SQLite its readers catch
it up from the log when they read it, so rows behind the log are not damage, and verify writes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.engine import Connection

from casetracker.adapters import flow_model
from casetracker.adapters.case_stream import case_views
from casetracker.adapters.database import driver_sql
from casetracker.adapters.read_models import READ_MODELS, ReadModel, Unchanged
from casetracker.domain.engine import WorkflowEngine

CHECKED: tuple[ReadModel, ...] = tuple(m for m in READ_MODELS if m.unchanged is not None)
FLOW = next(m for m in READ_MODELS if m.change is flow_model.change)
_FLOW_ROWS = f"SELECT {', '.join(flow_model.COLUMNS)} FROM flow_steps WHERE case_id = ?"


def _flow_unchanged(conn: Connection, case_id: str, rows: list[tuple]) -> bool:
    """Whether the case's stored process-map steps are exactly ``rows`` (the model has no
    ``unchanged``: an action never needs to compare them, it adds its step)."""
    held = driver_sql(conn, _FLOW_ROWS, (case_id,), "read_model_check").fetchall()
    return len(held) == len(rows) and {tuple(row) for row in held} == set(rows)


def _compared(dialect: str) -> list[tuple[ReadModel, Unchanged]]:
    """Each model compared, with its comparison: the process map's where actions keep it."""
    found = [(model, model.unchanged) for model in CHECKED if model.unchanged is not None]
    if FLOW.in_actions is not None and FLOW.in_actions(dialect):
        found.append((FLOW, _flow_unchanged))
    return found


def differences(
    conn: Connection, flow: WorkflowEngine, every_case_seen: bool = True
) -> Iterator[tuple[str, str]]:
    """``(case id, what differs)`` for each case whose stored rows of a checked model are not
    those its events derive, in case order, then - when this session sees every case's events
    (``every_case_seen``) - cases with rows and no events.  On PostgreSQL a police login sees
    its force's events only, but the report tables of every force (docs/postgresql.md): the
    other forces' rows would look kept for cases with no events."""
    compared = _compared(conn.dialect.name)
    kept = {model.name: _cases_with_rows(conn, model) for model, _ in compared}
    for view in case_views(conn, flow):
        for model, unchanged in compared:
            rows = model.rows(view)
            stored = view.case_id in kept[model.name]
            kept[model.name].discard(view.case_id)
            if not unchanged(conn, view.case_id, rows) if rows else stored:
                yield view.case_id, _differ(model)
    if not every_case_seen:
        return
    for model, _ in compared:
        for case_id in sorted(kept[model.name]):
            yield case_id, f"{model.name} rows are kept for a case with no events"


def _differ(model: ReadModel) -> str:
    return (
        f"its {model.name} rows are not those its events derive: changed outside casetracker, "
        "or derived under another organisation file (`casetracker rebuild` derives them again)"
    )


def _cases_with_rows(conn: Connection, model: ReadModel) -> set[str]:
    found: set[str] = set()
    for table in model.tables:
        query = f"SELECT DISTINCT case_id FROM {table.name}"
        found.update(r[0] for r in driver_sql(conn, query, (), "read_model_check").fetchall())
    return found
