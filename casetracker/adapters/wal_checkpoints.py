"""Emptying SQLite's write-ahead log after an erasure, even while another connection checkpoints.

An erasure deletes personal data with ``PRAGMA secure_delete``, but the log's frames still hold
older images of the pages it changed, so ``subjects.clean_up`` copies the log into the file and
truncates it (``PRAGMA wal_checkpoint(TRUNCATE)``).  SQLite waits for readers and writers (the
busy timeout), but while another connection - in this process or another - is checkpointing,
it answers "busy" at once and without raising: the erased bytes were then silently left in the
log.  ``truncate`` tries again until the log is empty, and says so plainly when it cannot.

Checkpointing from a thread of its own, off the action's commit, was tried (issue 18 item 4:
the commit that reaches SQLite's 1,000-page autocheckpoint copies the log, about one action in
a hundred) and taken out again: checkpointing every 250 pages cost the caseworker action about
40 µs of CPU and 15% of its throughput (more pages copied, since a page changed often was
copied at every checkpoint), and at 1,000 pages, or on the cold action at 190,000 arrests,
the p99 it was for did not improve (alternating runs, quiet machine, ``bench_core``).
"""

from __future__ import annotations

import time

from sqlalchemy.engine import Connection

from casetracker.domain.errors import DatabaseError

TRUNCATE_WAIT_S = 30.0  # an erasure's wait for the log to empty (the busy timeout's 30 s)


def truncate(conn: Connection) -> None:
    """Copy the whole write-ahead log into the file and empty it (an erasure's clean-up: its
    frames hold older images of the pages).  SQLite waits for readers and writers (the busy
    timeout), but answers busy at once while another connection checkpoints: then it is tried
    again."""
    deadline = time.monotonic() + TRUNCATE_WAIT_S
    pause = 0.001
    while True:
        busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return
        if time.monotonic() > deadline:
            raise DatabaseError(
                "the erasure is recorded, but the write-ahead log could not be emptied: other "
                f"connections kept it busy for {TRUNCATE_WAIT_S:.0f} s; older copies of the "
                "erased pages stay in it until the database's last connection closes: close "
                "the other casetracker sessions on this file"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
