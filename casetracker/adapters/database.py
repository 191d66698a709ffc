"""Connecting to the database: SQLite by default, PostgreSQL for a shared deployment.

SQLite runs in WAL mode with ``synchronous=FULL`` (an acknowledged action survives power loss)
and a busy timeout; every write transaction starts with ``BEGIN IMMEDIATE`` so two writers never
both read the same chain head.  On PostgreSQL a transaction-scoped advisory lock does the same.
Writers are serialised because each event's global position is part of its hash.

Where SQL stays raw, and why
----------------------------
Queries are written in SQLAlchemy Core against the tables declared in
``casetracker.adapters.tables`` and ``casetracker.adapters.report_tables``, except:

- The per-action path: the store's statements (``casetracker.adapters.store``: append, the
  chain head, idempotency keys, reading a case, opening one) and the read models written inside
  every action (``worklist.replace``, ``mi_model.replace``; on PostgreSQL ``flow_model.change``
  too, which SQLite catches up from the log instead: ``flow_model.catch_up``), and the
  subject's free text (``subjects.record``), sent through ``driver_sql`` on the driver's
  cursor, because SQLAlchemy's statement layer cost as much as SQLite itself there
  (benchmarks/bench_core).
- The bulk path's inserts (``bulk_open_cases``, ``mi_model.insert``, ``flow_model.insert_rows``
  and ``merkle_tree.append`` with many rows): ``casetracker.adapters.bulk_insert``, executemany
  on the SQLite cursor, and on PostgreSQL ``COPY`` (into a temporary table for a login
  row-level security applies to), which has no Core form.
- A rebuild's dropping and re-creating of the read models' indexes on SQLite
  (``casetracker.adapters.bulk_load``): the schema table's stored statements and PRAGMAs.
- Streaming the whole log (``stream``, ``casetracker.adapters.case_stream``) and everything in
  ``casetracker.integrity``: DBAPI batch readers that must not import SQLAlchemy, so that the
  verifier depends on the driver alone.  The sweeps' companions read the log's size in the same
  plain SQL: ``casetracker.adapters.workers`` (its snapshot, and the split for a second
  process).
- Connection set-up and transaction control here: PRAGMAs and ``BEGIN IMMEDIATE`` go to the
  SQLite driver, which has no Core form for them; a kept PostgreSQL connection's ``BEGIN``
  and write lock go to its driver too (``KeptConnections``: queued in its pipeline, where
  SQLAlchemy's statement layer cost more than they do); ``GRANT`` in
  ``casetracker.adapters.schema``, which has no Core form either.
- An erasure's emptying of the write-ahead log (``casetracker.adapters.wal_checkpoints``): a
  PRAGMA.
- SQLite's own check of the file (``casetracker.adapters.file_check``: ``PRAGMA quick_check`` /
  ``integrity_check``), a PRAGMA with no Core form.
- The migrations, which are shipped and never edited.
- A rebuild's rewrite of the current-state table (``casetracker.adapters.rebuilt_cases``):
  executemany on the cursor over every case, under a page cache enlarged by PRAGMA.

The reports' and the sample's queries are Core, in ``casetracker.adapters.report_queries`` (as
fast as the raw SQL they replaced, measured on benchmarks/bench_mi's year).  One service still
holds SQL: the audit screen's one-case chain check (``casetracker.services.case_integrity``)
reads one case's rows through the integrity layer's DBAPI batch reader, as verify does.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from casetracker.domain.errors import DatabaseError, UsageError
from casetracker.integrity.dbapi import batches

APPLICATION = "casetracker"
WRITE_LOCK_KEY = 0x63747261  # advisory lock id on PostgreSQL ("ctra")
BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"
_WRITE_LOCK = sa.select(sa.func.pg_advisory_xact_lock(sa.literal(WRITE_LOCK_KEY, sa.BigInteger)))
_WRITE_LOCK_SQL = "SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))"


@dataclass(frozen=True)
class DatabaseInfo:
    realm: str  # live, demo or training
    created: str
    database_id: str


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database."""
    raw = sa.engine.make_url(url).database
    return Path(raw) if raw and raw != ":memory:" else None


DAMAGE_MARKER = "-damaged"
"""Beside a SQLite file ``cases.db``, ``cases.db-damaged`` says SQLite's own check found the file
damaged (written by ``casetracker.adapters.file_check`` when verify finds it).  While it is
there nothing is written: a damaged index can let a retried idempotency key record a second
event, and a write into a damaged page can spread the damage.  Only ``casetracker repaired``,
an admin's command that first finds the file whole, removes it.  A file beside the database
rather than a row in it, since the database is what is damaged; asking whether it exists is
one ``stat`` per write transaction (about a microsecond, against an action's hundreds)."""


def damage_marker(url: str) -> Path | None:
    """Where the damage marker of the SQLite file at ``url`` is (None: not a SQLite file)."""
    path = sqlite_path(url) if is_sqlite(url) else None
    return path.with_name(path.name + DAMAGE_MARKER) if path is not None else None


def refuse_if_damaged(marker: Path | None) -> None:
    """Refuse a write while the damage marker is there: one line, nothing written."""
    if marker is None or not marker.exists():
        return
    try:
        found = marker.read_text("utf-8", errors="replace").splitlines()[:1]
    except OSError:
        found = []
    database = marker.name.removesuffix(DAMAGE_MARKER)
    raise DatabaseError(
        f"{database} was found damaged by verify ({found[0] if found else 'see verify'}): "
        "nothing is written until it is repaired (restore a backup, or REINDEX) and an admin "
        "runs `casetracker repaired`"
    )


def check_sqlite_file(url: str) -> None:
    """Refuse, before SQLite touches it, a file that is not a SQLite database at all."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head and head != SQLITE_MAGIC:
        raise DatabaseError(f"{path} is not a casetracker database (not a SQLite file)")


_DRIVERS = frozenset({"sqlite", "postgresql", "postgresql+psycopg"})


def check_url(url: str) -> None:
    """Refuse, as the malformed request it is, a URL that is not SQLite's or PostgreSQL's (or
    not a URL): SQLAlchemy would look for a driver casetracker does not have, an internal error.
    The URL itself is not quoted, for the password it may hold."""
    try:
        driver = sa.engine.make_url(url).drivername
    except (sa.exc.ArgumentError, ValueError):
        driver = None
    if driver not in _DRIVERS:
        scheme = f"'{driver}' " if driver else ""
        raise UsageError(
            f"the database URL {scheme}is not one casetracker opens: give a SQLite file's path "
            "or postgresql://user@host/dbname"
        )


def make_engine(url: str) -> Engine:
    check_url(url)
    if is_sqlite(url):
        check_sqlite_file(url)
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        sa_event.listen(engine, "connect", _sqlite_connect)
        sa_event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = sa.create_engine(url, pool_pre_ping=True)
    sa_event.listen(engine, "after_cursor_execute", _sync_pipeline)
    return engine


_PIPELINE = "casetracker_pipeline"  # a kept PostgreSQL connection's psycopg Pipeline (conn.info)


def _sync_pipeline(conn: Connection, *_: Any) -> None:
    """Let a SQLAlchemy statement on a pipelined connection (``KeptConnections``) see its result.

    SQLAlchemy reads a statement's result description as soon as the statement has run; in
    pipeline mode the result is not there until the pipeline syncs, so each SQLAlchemy
    statement there is a sync point, one round trip as it was without the pipeline.  The
    per-action statements (``driver_sql``) go around SQLAlchemy and stay queued until a row
    is fetched or the transaction commits."""
    pipeline = conn.info.get(_PIPELINE)
    if pipeline is not None:
        pipeline.sync()


_SETTLE_TRIES = 8  # syncs to collect a failed pipeline's results before giving up on it


def _settle(conn: Connection) -> None:
    """Collect every outstanding result of a pipelined connection after an error, so that the
    rollback that follows starts clean and the caller sees the error that happened.

    A statement queued after the one that failed answers "pipeline aborted", and its answer
    may arrive after the error was raised; left there, the rollback's own sync raised it in
    place of the real error (a guard's refusal then went unlogged) and left the transaction
    open for the next one.  Each sync here collects what has arrived; one that raises nothing
    means none is outstanding, and the transaction is then rolled back on the driver (after a
    failed COMMIT, SQLAlchemy's own rollback had already been tried and spent).  A connection
    still unsettled after that is invalidated.  One SQLAlchemy has invalidated already (the
    server dropped it) has nothing to collect, and asking for its ``info`` would raise
    SQLAlchemy's "invalid transaction" in place of the driver's error."""
    if conn.invalidated:
        return
    pipeline = conn.info.get(_PIPELINE)
    if pipeline is None:
        return
    errors = conn.dialect.loaded_dbapi.Error
    for _ in range(_SETTLE_TRIES):
        try:
            pipeline.sync()
            _driver_of(conn).rollback()
            return
        except errors:
            continue
    conn.invalidate()


def _driver_of(conn: Connection) -> Any:
    """The driver's own connection under ``conn`` (SQLAlchemy types it as absent once closed)."""
    driver = conn.connection.driver_connection
    if driver is None:
        raise DatabaseError("the database connection is closed")
    return driver


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Take transaction control away from the sqlite3 module so BEGIN IMMEDIATE is ours to emit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA secure_delete = ON")  # erased personal data leaves no bytes behind
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    driver = _driver_of(conn)
    if driver.in_transaction:
        return  # begun on the driver by KeptConnections.write; SQLAlchemy joins it
    immediate = conn.get_execution_options().get("casetracker_write", False)
    # Straight to the driver: going through SQLAlchemy here cost ~90 µs per transaction.
    driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def enable_wal(engine: Engine) -> None:
    """WAL is a property of the file: set once when the database is created."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA journal_mode = WAL")
        finally:
            raw.close()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One serialised write transaction: committed if the block returns, rolled back on error."""
    if engine.dialect.name == "sqlite":
        refuse_if_damaged(damage_marker(str(engine.url)))
    with engine.connect() as conn:
        conn.execution_options(casetracker_write=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(_WRITE_LOCK)
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A consistent snapshot for reads (deferred BEGIN on SQLite, REPEATABLE READ on PostgreSQL)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


class _DriverTransaction:
    """BEGIN IMMEDIATE ... COMMIT on the SQLite driver itself, for the per-action hot path.

    SQLAlchemy's own transaction bookkeeping cost as much as a third of the SQL in a caseworker
    action.  Code inside may still use ``conn.execute``: SQLAlchemy then autobegins, the begin
    listener sees the driver's transaction and joins it, and the ending below goes through
    SQLAlchemy so both agree the transaction is over.  A class rather than a generator-based
    context manager: this runs once per action, and each generator layer cost ~0.7 µs.
    """

    __slots__ = ("conn", "driver")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.driver = _driver_of(conn)

    def __enter__(self) -> Connection:
        self.driver.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        conn, driver = self.conn, self.driver
        if exc_type is None:
            try:
                if conn.in_transaction():
                    conn.commit()
                else:
                    driver.commit()
                return
            except BaseException:
                self._rollback()
                raise
        self._rollback()

    def _rollback(self) -> None:
        if self.conn.in_transaction():
            self.conn.rollback()
        if self.driver.in_transaction:
            self.driver.rollback()


class KeptConnections:
    """One open connection per thread for write transactions, kept between them.

    Checking a connection out of the pool and back costs about as much as SQLite's own commit
    (benchmarks/bench_core), so a long-lived service - the TUI, a caseworker's session - keeps
    one per thread.  Nothing is held open between transactions except the connection itself.

    On PostgreSQL the kept connection stays in psycopg's pipeline mode (``Connection.pipeline``)
    for as long as it is kept: a statement sent with ``driver_sql`` does not wait for its
    answer, so an action's statements travel together and wait only where a row is read back
    and at the commit.  A police officer's note waits twice instead of eight (BEGIN and the
    lock with the chain head; the free text, the event, the projection, the read models and
    COMMIT together: ``subjects.record`` reads back nothing), each wait under load a turn of
    the scheduler.  The
    connection is in autocommit mode and ``_locked`` sends BEGIN itself: psycopg's own BEGIN
    ends with a sync in pipeline mode, a round trip of its own.  An error in a queued
    statement is raised where the pipeline next syncs (a later read, or the commit), still
    inside the transaction, which then rolls back as before.  Entering and leaving the mode
    costs a round trip each, so it is entered once per connection, not per transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._damage_marker = damage_marker(str(engine.url)) if self._sqlite else None
        # os.access on the path's text: a fifth of pathlib's exists(), once per action
        self._marker_text = os.fspath(self._damage_marker) if self._damage_marker else None
        self._local = threading.local()
        self._opened: list[Connection] = []
        # What takes each out of pipeline mode: held here, not in ``conn.info``, which an
        # invalidated connection can reach only by checking a new one out of the pool.
        self._leaving: dict[Connection, ExitStack] = {}
        self._lock = threading.Lock()

    def write(self) -> AbstractContextManager[Connection]:
        if self._marker_text is not None and os.access(self._marker_text, os.F_OK):
            refuse_if_damaged(self._damage_marker)
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect()
            conn.execution_options(casetracker_write=True)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
                if not self._sqlite:
                    # psycopg ends each BEGIN of its own with a sync in pipeline mode, a round
                    # trip; in autocommit mode it sends none, and ``_locked`` queues one
                    conn.execution_options(isolation_level="AUTOCOMMIT")
                    leave = self._leaving[conn] = ExitStack()
                    conn.info[_PIPELINE] = leave.enter_context(_driver_of(conn).pipeline())
        if self._sqlite:
            return _DriverTransaction(conn)
        return self._locked(conn)

    @contextmanager
    def _locked(self, conn: Connection) -> Iterator[Connection]:
        transaction = conn.begin()
        try:
            # on the driver (``driver_sql``): SQLAlchemy's statement layer cost more than this
            driver_sql(conn, "BEGIN", (), "lock")
            driver_sql(conn, _WRITE_LOCK_SQL, (WRITE_LOCK_KEY,), "lock")
            yield conn
            # COMMIT is sent here, not by psycopg's commit(): that sends one only when it
            # knows the server is in a transaction, which in pipeline mode it learns from a
            # sync or from results still awaited.  A transaction whose last statement was a
            # read it had waited for looked idle, and was left open with the write lock.
            driver_sql(conn, "COMMIT", (), "lock")
            conn.info[_PIPELINE].sync()  # the one wait; a queued statement's error is raised
            transaction.commit()  # SQLAlchemy's own account: the server is idle, nothing sent
        except BaseException:
            _settle(conn)
            transaction.rollback()
            raise

    def close(self) -> None:
        with self._lock:
            for conn in self._opened:
                # out of pipeline mode before the connection goes back to the pool; an
                # invalidated one's driver connection is closed, and leaving only says so
                leave = self._leaving.pop(conn, None)
                if not conn.invalidated:
                    conn.info.pop(_PIPELINE, None)
                if leave is not None and not conn.closed:
                    try:
                        leave.close()
                    except conn.dialect.loaded_dbapi.Error:
                        conn.invalidate()  # the connection is lost: not back to the pool
                conn.close()
            self._opened.clear()
        self._local = threading.local()


def driver_sql(conn: Connection, query: str, params: Any = (), cursor_name: str = "main") -> Any:
    """Run one statement on a DBAPI cursor of ``conn``'s transaction; returns the cursor.

    The per-action write path (store, read models) goes straight to the driver: SQLAlchemy's
    statement layer cost as much as SQLite itself there.  ``?`` placeholders work on every
    backend; a list of tuples means executemany.  Each ``cursor_name`` keeps its own cursor
    on the connection, so one caller's pending rows are not lost to another's statement.
    """
    key = f"casetracker_cursor_{cursor_name}"
    cursor = conn.info.get(key)
    if cursor is None:
        cursor = conn.info[key] = conn.connection.cursor()
    if conn.dialect.name == "postgresql":
        query = query.replace("?", "%s")
        if isinstance(params, list) and len(params) <= _ROWS_AT_ONCE:
            # psycopg's executemany enters and leaves pipeline mode, which cost more than the
            # round trip it saves on the few rows of an action: one row is a plain execute,
            # a few an INSERT of several VALUES rows
            several = _several_rows(query, len(params)) if len(params) > 1 else None
            if len(params) == 1:
                params = params[0]
            elif several is not None:
                query, params = several, tuple(value for row in params for value in row)
    if isinstance(params, list):
        cursor.executemany(query, params)
    else:
        cursor.execute(query, params)
    return cursor


_ROWS_AT_ONCE = 100  # on PostgreSQL, up to this many rows are inserted by one statement
_VALUES = re.compile(r"(INSERT INTO [^;]+ VALUES )(\((?:%s, )*%s\))", re.S)


@functools.lru_cache(maxsize=256)
def _several_rows(query: str, rows: int) -> str | None:
    """``query``, a one-row ``INSERT ... VALUES (%s, ...)``, as an insert of ``rows`` rows;
    None for any other statement."""
    found = _VALUES.fullmatch(query)
    return None if found is None else found[1] + ", ".join([found[2]] * rows)


def stream(
    conn: Connection, query: str, batch: int = 10_000, params: tuple = ()
) -> Iterator[tuple]:
    """Rows of a large query as plain tuples straight from the driver (``integrity.dbapi``)."""
    for rows in batches(conn.connection.dbapi_connection, query, params, batch):
        yield from rows
