"""Large results straight from a DBAPI connection, a batch at a time.

Whole-log work (verify, rebuild, read-model rebuilds) reads every event: SQLAlchemy's row
objects would cost more than the work itself.  Worker processes use this too, so it must not
import SQLAlchemy.  On PostgreSQL a server-side cursor keeps memory flat; ``?`` placeholders
work on both backends.
"""

from __future__ import annotations

import gc
import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

BATCH = 1000  # rows per fetch: small enough that a batch is still in the CPU cache when used

# A row as a DBAPI driver gives it: its values' types are whatever the database holds.
Row = tuple[Any, ...]

_names = itertools.count(1)


def batches(
    raw: Any, query: str, params: tuple[object, ...] = (), size: int = BATCH
) -> Iterator[list[Row]]:
    """The rows of ``query`` on the DBAPI connection ``raw``, as lists of plain tuples."""
    if isinstance(raw, sqlite3.Connection):
        cursor = raw.cursor()
        cursor.arraysize = size
    else:
        query = query.replace("?", "%s")
        cursor = raw.cursor(name=f"casetracker_rows_{next(_names)}")
        cursor.itersize = size
    try:
        cursor.execute(query, params)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def reported(
    batches: Iterable[list[Row]],
    progress: Callable[[int, int | None], None] | None,
    total: int | None = None,
) -> Iterable[list[Row]]:
    """``batches`` as they are, telling ``progress`` the rows handed on so far (and ``total``,
    None when not known) after each: a long walk's progress at the cost of one call a batch."""
    if progress is None:
        return batches
    return _reporting(batches, progress, total)


def _reporting(
    batches: Iterable[list[Row]], progress: Callable[[int, int | None], None], total: int | None
) -> Iterator[list[Row]]:
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        progress(done, total)


def first_row(raw: Any, query: str, params: tuple[object, ...] = ()) -> Row:
    """The one row of an aggregate query."""
    for rows in batches(raw, query, params, 1):
        return rows[0]
    raise LookupError(query)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for one piece of whole-log work.

    Such work allocates millions of small acyclic objects (rows, steps, events) that reference
    counting frees as it goes; the collector's passes over the live ones find nothing to free
    but cost up to a fifth of the run.  Forked workers inherit the pause.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _tolerant(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


@contextmanager
def tolerant_text(raw: Any) -> Iterator[None]:
    """Read SQLite text that is not valid UTF-8 (which only tampering with the file puts there)
    as text holding the undecodable bytes, instead of failing the whole query.

    For the verifier's event-by-event walk: such a value cannot be encoded back, so it cannot
    match its hash, and the walk names the event instead of stopping at the first bad row.
    PostgreSQL never stores invalid text; there this does nothing.
    """
    if not isinstance(raw, sqlite3.Connection):
        yield
        return
    kept = raw.text_factory
    raw.text_factory = _tolerant
    try:
        yield
    finally:
        raw.text_factory = kept
