"""A database driver's own errors, as the project's ``DatabaseError``.

A file damaged under SQLite's own checks, text that is not UTF-8 or a server gone away raises
something no service expects, from the driver (through SQLAlchemy or straight from a DBAPI
connection).  The interfaces run their commands inside ``driver_errors_refused`` so that such
an error is one refusal that says what the driver said, and the interfaces need not know the
drivers; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from casetracker.domain.errors import DatabaseError


def _sqlalchemy_error(exc: BaseException) -> BaseException | None:
    """The driver's error inside ``exc`` if SQLAlchemy wrapped it, else None.  SQLAlchemy is
    asked only if loaded: a command that opened no database (``--help``, ``locate``) starts
    without paying for its import, and an error it never imported cannot be one of its own."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    return exc.orig if isinstance(exc, DBAPIError) else None


def driver_message(exc: BaseException) -> str | None:
    """What a database driver said, if ``exc`` is its error; None for anything else."""
    wrapped = _sqlalchemy_error(exc)
    if wrapped is not None:
        return str(wrapped).strip()
    sqlite3 = sys.modules.get("sqlite3")  # not loaded: nothing raised can be its error
    if sqlite3 is not None and isinstance(exc, sqlite3.Error):
        return str(exc).strip()
    if type(exc).__module__.startswith("psycopg"):
        return str(exc).strip()
    return None


INSUFFICIENT_PRIVILEGE = "42501"  # the SQLSTATE every guard of PostgreSQL's raises


def refusal_by_database(exc: BaseException) -> str | None:
    """What the database's own guards said, if ``exc`` is their refusal (PostgreSQL's
    ``insufficient_privilege``: a trigger of migrations 0006-0012, or a privilege not granted);
    None for anything else.  One line: the trigger's message, without its context."""
    orig = _sqlalchemy_error(exc) or exc
    if getattr(orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
        return None
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else INSUFFICIENT_PRIVILEGE


@contextmanager
def driver_errors_refused() -> Iterator[None]:
    """Turn a driver's error raised inside into ``DatabaseError("cannot read the database: …")``."""
    try:
        yield
    except Exception as exc:
        message = driver_message(exc)
        if message is None:
            raise
        raise DatabaseError(f"cannot read the database: {message}") from exc
