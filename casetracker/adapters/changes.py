"""Whether the log has moved since we last looked: what lets a screen show new work unasked.

PostgreSQL tells us: migration 0009 NOTIFYs ``casetracker_events`` on every insert into
``events`` (by casetracker, by a tick on another machine, by anyone), and a dedicated connection
LISTENs; asking costs no query.  SQLite has no such signal between processes, so we poll the
log's last position, one lookup of the rowid's b-tree's last entry.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from casetracker.adapters.database import read_transaction
from casetracker.adapters.tables import EVENTS

CHANNEL = "casetracker_events"  # migration 0009
_LAST = sa.select(sa.func.max(EVENTS.c.position))


class ChangeFeed:
    """``changed()`` is True when events were recorded since the previous call (the first call
    only takes a reading).  One feed per screen; ``close`` it when done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._listener: Any = None
        self._last: int | None = None
        self.listening = engine.dialect.name == "postgresql"
        if self.listening:
            raw = engine.raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            driver.autocommit = True
            driver.execute(f"LISTEN {CHANNEL}")
            self._raw, self._listener = raw, driver

    def changed(self) -> bool:
        if self._listener is not None:
            return any(True for _ in self._listener.notifies(timeout=0, stop_after=1_000))
        with read_transaction(self.engine) as conn:
            last = conn.execute(_LAST).scalar() or 0
        moved = self._last is not None and last != self._last
        self._last = last
        return moved

    def close(self) -> None:
        if self._listener is not None:
            self._listener.execute(f"UNLISTEN {CHANNEL}")
            self._raw.invalidate()  # autocommit and LISTEN must not go back to the pool
            self._listener = None
