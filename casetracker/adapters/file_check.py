"""SQLite's own check of the database file: damage no chain shows (``casetracker verify``).

A damaged index can hide rows from a lookup, so that a retried idempotency key finds nothing and
records a second event, while every chain still hashes correctly.  The check is a PRAGMA: raw
SQL by nature (``casetracker.adapters.database`` lists where SQL stays raw).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from casetracker.adapters.database import damage_marker, sqlite_path

PHYSICAL_PROBLEMS_SHOWN = 20  # the first problems SQLite names; the rest add nothing to do


class PhysicalCheck:
    """SQLite's own check of the database file, run in a thread on a connection of its own
    while verify walks the chains: the check is C code that releases the GIL, so on a file it
    costs verify little more than its own time.  Anywhere else it runs on ``conn`` when asked.
    """

    def __init__(self, conn: Connection, thorough: bool = False) -> None:
        self._conn, self._thorough = conn, thorough
        self._found: list[str] | None = None
        self._thread: threading.Thread | None = None
        path = sqlite_path(str(conn.engine.url)) if conn.dialect.name == "sqlite" else None
        if path is not None and path.exists():
            self._thread = threading.Thread(target=self._on_own_connection, args=(path,))
            self._thread.start()

    def problems(self) -> list[str]:
        """What the check found (waiting for it if it runs beside the walk); damage found is
        recorded beside the file, so that nothing more is written to it."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            record_damage(str(self._conn.engine.url), self._found or [])
        elif self._found is None:
            self._found = physical_damage(self._conn, self._thorough)
        return self._found or []

    def _on_own_connection(self, path: Path) -> None:
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as raw:
                self._found = _damage(raw.execute(_pragma(self._thorough)), self._thorough)
        except sqlite3.DatabaseError as exc:
            self._found = [_damaged(self._thorough, str(exc))]


def physical_damage(conn: Connection, thorough: bool = False) -> list[str]:
    """What SQLite's own check finds wrong with the database file ([] on PostgreSQL).

    ``quick_check`` reads every page and row but does not compare indexes with their tables;
    ``integrity_check`` does, and so finds a damaged unique index (which would let a retried
    idempotency key record a second event).  Damage is repaired by restoring a backup, or by
    ``REINDEX`` when only an index is damaged (README, "A damaged database file").
    """
    if conn.dialect.name != "sqlite":
        return []
    try:
        found = _damage(conn.exec_driver_sql(_pragma(thorough)), thorough)
    except sa_exc.DatabaseError as exc:  # a page so broken that the check itself stops on it
        if not isinstance(exc.orig, sqlite3.DatabaseError):
            raise
        found = [_damaged(thorough, str(exc.orig))]
    record_damage(str(conn.engine.url), found)
    return found


def record_damage(url: str, found: list[str]) -> None:
    """Leave the damage marker (``casetracker.adapters.database.DAMAGE_MARKER``) beside a
    SQLite file in which SQLite's own check found damage; nothing else, if it found none (only
    ``casetracker repaired`` removes a marker)."""
    marker = damage_marker(url)
    if found and marker is not None:
        with suppress(OSError):  # a directory we may not write: verify still reports it
            marker.write_text("\n".join(found) + "\n", "utf-8")


def _pragma(thorough: bool) -> str:
    return f"PRAGMA {'integrity_check' if thorough else 'quick_check'}({PHYSICAL_PROBLEMS_SHOWN})"


def _damage(rows: Any, thorough: bool) -> list[str]:
    found = [" ".join(str(row[0]).split()) for row in rows]
    return [] if found == ["ok"] else [_damaged(thorough, line) for line in found]


def _damaged(thorough: bool, line: str) -> str:
    pragma = "integrity_check" if thorough else "quick_check"
    return (
        f"the database file is damaged (SQLite {pragma}): {line}; restore a backup, or run "
        "REINDEX if only an index is named"
    )
