"""Query tables kept beside the projection, updated in the same transaction as each event.

The projection (``cases.state``) says what state each lifecycle is in; screens such as a
worklist also need derived facts (a PACE deadline, an undecided claim) that can be indexed.
Each read model is a pure function from a case view to the rows the case contributes, and a
writer that replaces the case's rows; every one is rebuilt from the log by ``casetracker
rebuild`` (``rebuild``: the log folded once, each view feeding every read model).

One exception to "in the same transaction": on SQLite the process map's ``flow_steps`` is
caught up from the log by its readers (``flow_model.catch_up``; ``ReadModel.in_actions``), not
written by each action - a report's table, read rarely, that had cost an action 4.5 of its 10.5
pages per commit.  The worklist, report tables and deadlines are read on every screen and
stay exact in each action's own transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters import deadlines, flow_model, kept_rows, mi_model, workers, worklist
from casetracker.adapters.bulk_load import indexes_built_after
from casetracker.adapters.database import driver_sql, write_transaction
from casetracker.adapters.report_tables import FLOW_STEPS, MI_TABLES
from casetracker.adapters.tables import DEADLINES, WORKLIST
from casetracker.domain.case_view import CaseView
from casetracker.domain.engine import WorkflowEngine
from casetracker.integrity.dbapi import collector_paused

Rows = Callable[[CaseView], Any]
Replace = Callable[[Connection, str, Any], None]
Rebuild = Callable[[Engine, Any, Callable[[int], None] | None], int]
InsertMany = Callable[[Connection, list[Any]], Any]
Unchanged = Callable[[Connection, str, Any], bool]
Change = Callable[[Connection, CaseView, Any], Any]


@dataclass(frozen=True)
class ReadModel:
    """A derived table: the rows one case contributes (pure), how to replace them in each
    action's transaction, and how to rebuild the whole table from the log.

    With ``tables`` (those it writes: emptied, their indexes built after the rows) and
    ``insert`` (write many cases' rows, each as ``rows`` gave them), ``rebuild`` below feeds the
    model from its one fold of the log; a model without them folds the log again on its own
    (``rebuild``).  ``unchanged`` says whether the database already holds a case's rows
    (``update``).  ``change``, when given, takes the place of ``rows`` and ``replace`` in each
    action: it brings the case's rows in line with the view knowing what it returned for the
    case last time (None: nothing), and returns what ``update`` keeps for next time - for a
    model whose rows grow with every event, so that an action neither derives every row again
    nor compares them.  ``in_actions`` says, by the database's dialect, whether each action
    writes the model at all; where it does not, its readers catch it up from the log and
    ``rebuild`` says it is complete (the flow model on SQLite: ``flow_model.catch_up``)."""

    name: str
    rows: Rows
    replace: Replace
    rebuild: Rebuild
    tables: tuple[Table, ...] = ()
    insert: InsertMany | None = None
    unchanged: Unchanged | None = None
    change: Change | None = None
    in_actions: Callable[[str], bool] | None = None  # None: on every backend


def _flattened(insert_rows: Callable[[Connection, Any], Any]) -> InsertMany:
    """A read model's ``insert`` for one whose ``rows`` gives a list of rows per case: every
    case's rows written through the table's own ``insert_rows``."""

    def insert(conn: Connection, per_case: list[Any]) -> None:
        insert_rows(conn, itertools.chain.from_iterable(per_case))

    return insert


_REPORT_ROWS = {
    table.name: f"SELECT {', '.join(table.c.keys())} FROM {table.name} WHERE case_id = ?"
    for table in MI_TABLES
}


def _reports_unchanged(conn: Connection, case_id: str, rows: mi_model.MiRows | None) -> bool:
    """Whether the report tables already hold exactly ``rows`` for the case (None: the case
    never enters them, and ``mi_model.replace`` writes nothing)."""
    if rows is None:
        return True
    for table, wanted in rows.by_table().items():
        filed = driver_sql(conn, _REPORT_ROWS[table], (case_id,), "report_tables").fetchall()
        if not kept_rows.same_rows(list(map(tuple, filed)), wanted):
            return False
    return True


def _insert_reports(conn: Connection, per_case: list[Any]) -> None:
    rows = mi_model.MiRows()
    for case in per_case:
        if case is not None:
            rows.extend(case)
    mi_model.insert(conn, rows)


READ_MODELS: tuple[ReadModel, ...] = (
    ReadModel(
        "worklist",
        worklist.rows_for,
        worklist.replace,
        worklist.rebuild,
        (WORKLIST,),
        _flattened(worklist.insert_rows),
        worklist.unchanged,
    ),
    ReadModel(
        "report tables",
        mi_model.case_rows,
        mi_model.replace,
        mi_model.rebuild,
        MI_TABLES,
        _insert_reports,
        _reports_unchanged,
    ),
    ReadModel(
        "deadlines",
        deadlines.rows_for,
        deadlines.replace,
        deadlines.rebuild,
        (DEADLINES,),
        _flattened(deadlines.insert_rows),
        deadlines.unchanged,
    ),
    # No ``unchanged``: every event adds a step to the case's traces, so a fresh view's rows
    # always differ from the stored ones and comparing them would only add a read; ``change``
    # inserts an action's new rows alone.  Written by actions on PostgreSQL only: SQLite's
    # readers catch it up from the log (``flow_model.catch_up``).
    ReadModel(
        "flow",
        flow_model.rows_for,
        flow_model.replace,
        flow_model.rebuild,
        (FLOW_STEPS,),
        _flattened(flow_model.insert_rows),
        change=flow_model.change,
        in_actions=flow_model.kept_by_actions,
    ),
)

# The models whose rows a case's digest covers (``kept_rows.digest``), in this order: those
# compared with the database when the rows last written are not known (migration 0026's
# ``DIGESTED_TABLES`` are their tables).
_DIGESTED = tuple(m for m in READ_MODELS if m.unchanged is not None and m.change is None)


def digests_kept(conn: Connection) -> bool:
    """Whether the database keeps each case's digest of its rows (SQLite: migration 0026)."""
    return conn.dialect.name == "sqlite"


def digest_of(work: list[Any], reports: mi_model.MiRows | None, due: list[Any]) -> str:
    """The digest ``update`` keeps for a case whose worklist, report-table (None: it never
    enters them, as ``mi_model.case_rows`` says) and deadline rows these are: for writers
    of many new cases at once (``casetracker.services.bulk``)."""
    return _digest({"worklist": work, "report tables": reports, "deadlines": due})


def _digest(rows: Mapping[str, Any]) -> str:
    """The digest kept for a case whose models' rows, by model name, these are (a model
    missing counts as None)."""
    return kept_rows.digest([rows.get(model.name) for model in _DIGESTED])


_UNKNOWN = object()


def update(conn: Connection, view: CaseView) -> None:
    """Bring every read model in line with ``view``, writing only what changed.

    ``view.written`` remembers the rows this process last wrote for the case at the view's
    previous version: most actions - a note, a served paper - leave a case's worklist and
    report rows as they were, and skipping those statements is a third of an action's cost.
    A view folded afresh from the log (every CLI action, a new TUI session) knows nothing:
    on SQLite it compares the digest of the rows it derived with the one kept for the case
    (``kept_rows``), and only when that differs or is missing compares the rows with the
    database's (``ReadModel.unchanged``); either way a row is rewritten only when its
    content changed (issue 18).  Whenever rows are written the digest is kept after them.
    A model with ``change`` (the flow model, whose rows grow with every event) is handed what
    it kept and keeps what it returns.  A model caught up by its readers on this backend
    (``ReadModel.in_actions``) is not written.
    """
    written = view.written
    dialect = conn.dialect.name
    digested = digests_kept(conn)
    unknown: list[tuple[ReadModel, Any]] = []  # rows of models whose stored rows are not known
    changed = False
    for model in READ_MODELS:
        if model.in_actions is not None and not model.in_actions(dialect):
            continue
        known = written.get(model.name, _UNKNOWN)
        if model.change is not None:
            written[model.name] = model.change(conn, view, None if known is _UNKNOWN else known)
            continue
        rows = model.rows(view)
        if known is _UNKNOWN and model.unchanged is not None:
            unknown.append((model, rows))  # decided below, by the digest or the rows
        elif known != rows:
            if digested and not changed and not _as_left(conn, view):
                _compared(conn, view)  # another writer changed them meanwhile
                return
            model.replace(conn, view.case_id, rows)
            written[model.name] = rows
            changed = True
    if not unknown and not changed:
        return
    for model, rows in unknown:
        written[model.name] = rows
    wanted = _digest(written) if digested else ""
    if digested and unknown and kept_rows.stored_digest(conn, view.case_id) == wanted:
        written[_KEPT] = wanted
        return
    for model, rows in unknown:
        assert model.unchanged is not None
        if not model.unchanged(conn, view.case_id, rows):
            model.replace(conn, view.case_id, rows)
    if digested:
        kept_rows.keep_digest(conn, view.case_id, wanted)
        written[_KEPT] = wanted


# In ``view.written``: the digest this process last kept for the case (SQLite).
_KEPT = "rows digest kept"


def _as_left(conn: Connection, view: CaseView) -> bool:
    """Whether the case's rows are still as this process last wrote them: the digest it kept
    then is still kept (any other writer's insert, update or delete of a row forgets it,
    migrations 0026/0028).  Asked before a known view writes anything: it keeps the digest of
    every model's rows after writing those that changed, which would otherwise also vouch for
    rows another writer had changed meanwhile (a deleted deadline never written back)."""
    kept = view.written.get(_KEPT)
    return kept is not None and kept_rows.stored_digest(conn, view.case_id) == kept


def _compared(conn: Connection, view: CaseView) -> None:
    """``update`` as for a view folded afresh: every model's rows compared with the stored
    ones, those that differ written, the digest kept."""
    for model in _DIGESTED:
        view.written.pop(model.name, None)
    view.written.pop(_KEPT, None)
    update(conn, view)


REBUILD_BATCH = 5000  # cases whose rows are held before they are written
# The part of the log this process folds when a worker folds the rest (``rebuild``): more
# than half, since the worker also starts a Python and pickles its rows, which had kept this
# process waiting for it.  CPU seconds on a synth year, this process's own half then the
# worker's: 2.22/2.54 and 2.34/2.86 at 0.5; 2.77/2.20 and 2.72/2.26 at 0.6.
HERE_SHARE = 0.55


def _fed() -> list[ReadModel]:
    """The read models fed from ``rebuild``'s one fold (those that say how to be)."""
    return [m for m in READ_MODELS if m.tables and m.insert is not None]


def rebuild(engine: Engine, flow: Any, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every read model from the log, in one write transaction; returns the cases.

    The log is folded once, and each case's view feeds every read model that can take it
    (``ReadModel.tables`` and ``insert``), through the same ``rows`` function as each action,
    so a rebuilt table cannot differ from one kept up to date; folding it once per model had
    been most of the command's time (issue 18).  A large SQLite log is split by case id as
    the projection's rebuild splits it: a worker process folds the upper half and hands its
    rows back (``rows_range``) while this process folds and writes the lower half.  A model
    without ``tables`` and ``insert`` rebuilds itself after.  Each case's digest of its rows
    is kept with them, as an action keeps it (``kept_rows.digests_forgotten`` forgets the
    old ones first).
    """
    from casetracker.adapters.case_stream import views_in_range

    fed = _fed()
    tables = [table for model in fed for table in model.tables]
    with (
        write_transaction(engine) as conn,
        indexes_built_after(conn, tables),
        kept_rows.digests_forgotten(conn, tables),
    ):
        for table in tables:
            conn.execute(table.delete())
        raw = conn.connection.dbapi_connection
        digested = digests_kept(conn)

        def here(low: str | None, high: str | None) -> int:
            pending: list[list[Any]] = [[] for _ in range(len(fed) + 1)]
            cases = 0
            with collector_paused():  # as in the worker: millions of acyclic objects
                for view in views_in_range(raw, flow, low, high, progress):
                    _derive(view, fed, pending, digested)
                    cases += 1
                    if cases % REBUILD_BATCH == 0:
                        _write(conn, fed, pending)
                _write(conn, fed, pending)
            return cases

        def adopt(half: Any) -> int | None:
            if not (isinstance(half, tuple) and len(half) == 2 and isinstance(half[0], int)):
                return None
            if not (isinstance(half[1], list) and len(half[1]) == len(fed) + 1):
                return None
            _write(conn, fed, half[1])
            return half[0]

        counts = workers.in_two_halves(
            conn, "read_models", here, adopt, HERE_SHARE, definitions=list(flow.definitions)
        )
        flow_model.mark_complete(conn)  # what its readers catch up from: the log's end
    for model in READ_MODELS:
        if model not in fed:
            model.rebuild(engine, flow, progress)
    return sum(counts)


def rows_range(
    raw: Any, low: str | None, high: str | None, definitions: list[Any]
) -> tuple[int, list[list[Any]]]:
    """In a worker process: how many cases ``[low, high)`` holds, each fed read model's rows
    for them (one entry a case, as ``rows`` gives it) and, last, each case's digest of its
    rows with its id.  Folding needs the definitions only, not the guards, so the engine is
    built from them here.  Workers run on SQLite only, which keeps the digests."""
    from casetracker.adapters.case_stream import views_in_range

    flow = WorkflowEngine(definitions)
    fed = _fed()
    out: list[list[Any]] = [[] for _ in range(len(fed) + 1)]
    cases = 0
    for view in views_in_range(raw, flow, low, high):
        _derive(view, fed, out, True)
        cases += 1
    return cases, out


def _derive(view: CaseView, fed: list[ReadModel], held: list[list[Any]], digested: bool) -> None:
    """Each fed model's rows for the case into its list of ``held``, and into the last one,
    when ``digested``, the case's digest of its rows and its id (``digest_of``)."""
    rows = {model.name: model.rows(view) for model in fed}
    for model, out in zip(fed, held, strict=False):
        out.append(rows[model.name])
    if digested:
        held[-1].append((_digest(rows), view.case_id))


def _write(conn: Connection, fed: list[ReadModel], pending: list[list[Any]]) -> None:
    for model, held in zip(fed, pending, strict=False):  # the last: the digests
        if held:
            assert model.insert is not None
            model.insert(conn, held)
            held.clear()
    kept_rows.keep_digests(conn, pending[-1])
    pending[-1].clear()
