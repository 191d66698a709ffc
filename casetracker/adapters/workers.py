"""Whole-log work on a large SQLite file split between two processes.

``verify``, ``rebuild`` and ``export-log`` read every event; Python, not SQLite, is what limits
them, so on a machine with a second core the log is split by case id and the upper half is
walked by a worker process (``python -m casetracker.adapters.workers``) while this process
walks the lower half.
A worker reads the file on its own read-only connection, in one read transaction, and reports
the last position it saw: the log is append-only, so the same last position means the same log
as the caller's transaction.  Anything that goes wrong in a worker only means the caller walks
that half itself.
"""

from __future__ import annotations

import importlib
import os
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from casetracker.integrity.dbapi import collector_paused

if TYPE_CHECKING:  # the worker process must start quickly: it never needs SQLAlchemy
    from sqlalchemy.engine import Connection

PARALLEL_FROM = 200_000  # events: below this a second process costs more than it saves

# What a worker may be asked to run: task name -> (module, function taking a DBAPI connection,
# then the job's keywords).
TASKS = {
    "chain": ("casetracker.integrity.batch_checks", "check_range"),
    "replay": ("casetracker.integrity.replay", "replay_range"),
    "read_models": ("casetracker.adapters.read_models", "rows_range"),
    "trees": ("casetracker.integrity.tree_check", "check_trees"),  # beside the chain walk
    # export-log's upper half (a service module: named here, imported only in the worker)
    "export_log": ("casetracker.services.process_formats", "write_range"),
}

T = TypeVar("T")


def parallel_events(conn: Connection) -> int:
    """The number of events in the log when a second process is worth starting; else 0."""
    if conn.dialect.name != "sqlite" or (os.cpu_count() or 1) < 2:
        return 0
    database = conn.engine.url.database
    if not database or database == ":memory:":
        return 0
    events = conn.exec_driver_sql("SELECT max(position) FROM events").scalar() or 0
    return events if events >= PARALLEL_FROM else 0


def case_split_point(conn: Connection, here: float = 0.5) -> str | None:
    """The case id below which this process takes the share ``here`` of the log's events
    (half, unless a task says otherwise), when a second process is worth starting here.

    Taken from the log itself (the case holding that event in case order), not from the
    ``cases`` table, which ``rebuild`` is about to replace and ``verify`` must not trust.  An
    even split measured best for the projection's rebuild, although this process also writes
    the rows: the worker's start-up and hand-over cost about as much.
    """
    events = parallel_events(conn)
    if not events:
        return None
    return conn.exec_driver_sql(
        "SELECT case_id FROM events ORDER BY case_id, seq LIMIT 1 OFFSET ?", (int(events * here),)
    ).scalar()


def in_two_halves(
    conn: Connection,
    task: str,
    here: Callable[[str | None, str | None], T],
    adopt: Callable[[Any], T | None],
    share: float = 0.5,
    **job: Any,
) -> list[T]:
    """The work of ``task`` over every case, in one part here or in two: cases below the split
    point here (``here(low, high)``) while a worker process does the rest (``adopt`` turns what
    it returned into this side's result, or None if it is not what the task returns).

    The one sequence ``verify`` and ``rebuild`` share: split, start the worker, do this half,
    take the worker's half only if it saw the same log (the same last position, in a log that
    is only appended to), and otherwise do that half here too.  A worker that fails only costs
    time.  ``share`` is the part of the log's events done here (``case_split_point``).
    """
    split = case_split_point(conn, share)
    if split is None:
        return [here(None, None)]
    worker = start(task, path=conn.engine.url.database, low=split, high=None, **job)
    try:
        snapshot = conn.exec_driver_sql("SELECT max(position) FROM events").scalar() or 0
        first = here(None, split)
        second = result(worker)
    finally:
        stop(worker)
    if isinstance(second, tuple) and len(second) == 2 and second[0] == snapshot:
        adopted = adopt(second[1])
        if adopted is not None:
            return [first, adopted]
    return [first, here(split, None)]


def start(task: str, **job: Any) -> subprocess.Popen | None:
    """A worker running ``task`` on ``job``; None if it could not be started."""
    try:
        worker = subprocess.Popen(
            [sys.executable, "-m", "casetracker.adapters.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert worker.stdin is not None
        worker.stdin.write(pickle.dumps((task, job), protocol=pickle.HIGHEST_PROTOCOL))
        worker.stdin.close()
    except OSError:
        return None
    return worker


def result(worker: subprocess.Popen | None) -> Any | None:
    """What the worker returned, or None if it failed."""
    if worker is None:
        return None
    assert worker.stdout is not None
    output = worker.stdout.read()
    if worker.wait() != 0:
        return None
    try:
        with collector_paused():  # a whole half's rows: the collector's passes would find nothing
            return pickle.loads(output)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def stop(worker: subprocess.Popen | None) -> None:
    """Make sure a worker is gone (after an error in the caller's half)."""
    if worker is not None and worker.poll() is None:
        worker.kill()
        worker.wait()


def main() -> None:
    """Run one task on the file's log in one read transaction on a read-only connection, and
    hand back ``(the log's last position as that transaction saw it, the task's result)``."""
    task, job = pickle.load(sys.stdin.buffer)
    module, function = TASKS[task]
    path = job.pop("path")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        snapshot = conn.execute("SELECT max(position) FROM events").fetchone()[0] or 0
        # Run as ``-m`` this file is ``__main__``; results must be instances of the importable
        # modules' classes for the caller to unpickle them.
        with collector_paused():
            out = getattr(importlib.import_module(module), function)(conn, **job)
        conn.execute("COMMIT")
    finally:
        conn.close()
    pickle.dump((snapshot, out), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main()
