"""Shared fixtures: a database per test, on SQLite and (where a server answers) PostgreSQL.

PostgreSQL tests use ``$CASETRACKER_TEST_PG`` or ``postgresql://postgres@127.0.0.1:5432/test``
and create a fresh database per test.  On a laptop without a server they are skipped with the
reason shown in pytest's summary; under CI (``CI=true``) a missing server is an error instead,
so they can never be skipped silently there.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from casetracker.domain import clock

PG_ADMIN_URL = os.environ.get(
    "CASETRACKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_pg_state: dict[str, object] = {}


def postgres_available() -> str | None:
    """None if the server answers, else why not."""
    if "reason" not in _pg_state:
        try:
            engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as exc:  # any failure to connect means "not available here"
            _pg_state["reason"] = (
                f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
            )
    return _pg_state["reason"]  # type: ignore[return-value]


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} — CI must run the PostgreSQL tests (.ci/run starts the server)")
    pytest.skip(reason)


def _admin_engine() -> sa.Engine:
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A brand-new PostgreSQL database, dropped afterwards."""
    require_postgres()
    name = f"ct_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cases.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """The contract suite runs once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(autouse=True)
def _system_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Any]
) -> tuple[Path, Any]:
    """A SQLite database built once per run and this process's own copy of it, with what
    ``build(path)`` returned (JSON).

    Under pytest-xdist the first worker to ask builds it, under a lock, in the directory the
    workers share; the others wait for it and copy the file, rather than each spending the same
    minute of CPU building the same (deterministic) database.  Every worker gets its own copy,
    so tests that write to it (an export's access-log entry) see what a run in one process sees.
    """
    mine = tmp_path_factory.getbasetemp()
    shared = mine.parent if os.environ.get("PYTEST_XDIST_WORKER") else mine
    built, made = shared / f"{name}.built", shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            for left in (built, Path(f"{built}-wal"), Path(f"{built}-shm")):
                left.unlink(missing_ok=True)  # by a build that failed: start again
            result = build(built)
            with closing(sqlite3.connect(built)) as conn:  # the whole database in the one file
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            made.write_text(json.dumps(result))
    copy = tmp_path_factory.mktemp(name) / f"{name}.db"
    shutil.copyfile(built, copy)
    return copy, json.loads(made.read_text())
