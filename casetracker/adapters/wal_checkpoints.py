"""Checkpointing SQLite's write-ahead log from a thread of its own, off the action's commit.

Why: SQLite copies the log back into the database file (a checkpoint) at the end of the commit
that leaves 1,000 pages or more in it (``wal_autocheckpoint``).  At about ten pages a caseworker
action that is one action in a hundred, and that action's commit then copies hundreds of pages
and syncs the file: on a 20,000-arrest synth database the cold action's p99 was 5.3-5.7 ms
against a goal of 3 (issue 18).  A longer log (the checkpoint at 4,000 pages) took the p99 to
1.3 ms but cost 7% of the action throughput, since every read looks its pages up in the log's
index first.  So the log is kept as short as before, and a thread does the copying.

- The writer counts its commits (``Checkpointer.committed``: an addition and a comparison) and
  wakes the thread (an ``Event``) when enough have been made.  No timer: an idle TUI wakes
  nothing.
- The thread runs ``PRAGMA wal_checkpoint(PASSIVE)`` on a connection of its own.  A passive
  checkpoint takes no lock a reader or writer waits for; it copies the frames no reader still
  needs, and answers busy at once if another connection, here or in another process, is
  checkpointing (that one does the work).  The frames in the log it answers, against those at
  the checkpoint before, say how many pages a commit adds, and so when to wake next.
- SQLite's own autocheckpoint stays at 1,000 pages on every connection.  A checkpoint copies
  only the frames committed before it began, and the log starts again from its beginning only
  at a write that finds every frame copied; with actions back to back, frames arrive while the
  thread copies, so the log still reaches 1,000 pages and that commit checkpoints, copying what
  the thread has not.  The thread therefore checkpoints at every ``CHECKPOINT_PAGES`` (250) of
  the log, a quarter of 1,000, each started ``LEAD_COMMITS`` early, so that the last before
  1,000 ends just before it: on a 20,000-arrest synth database, 2,000 cold actions back to
  back, the writer's thread wrote 12.4 KB an action into the file without the thread, 3.3 KB
  with checkpoints every 500 pages and 1.25 KB every 250 (``/proc/self/task/*/io``; both
  threads together 16.4 KB, since a page changed often is copied more often).  Should the
  thread fall behind (large commits, a slow disk), the commit at 1,000 pages does the rest, as
  it always did.  At a person's pace the thread's checkpoints find the log copied and it
  starts again.
- The thread starts when the first checkpoint is due, not with the connection: a short CLI
  process never starts one (SQLite checkpoints when a file's last connection closes anyway).
  It is a daemon, so a process that never closes its service still exits; ``close`` stops and
  joins it (``KeptConnections.close``).
- Nothing is copied into a file that verify found damaged (``database.DAMAGE_MARKER``), as
  nothing is written to it.
- An erasure empties the log (``truncate``): a ``TRUNCATE`` checkpoint is refused at once while
  another checkpoint runs, without waiting, so it is tried again until it succeeds.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable

from sqlalchemy.engine import Connection

from casetracker.domain.errors import DatabaseError

CHECKPOINT_PAGES = 250  # a checkpoint at each multiple of this many pages in the log
FIRST_PAGES_PER_COMMIT = 10  # until checkpoints have counted them (a caseworker action's 6-11)
LEAD_COMMITS = 2  # started this many commits before the multiple, to end about there
MOST_COMMITS = 1_000  # between checkpoints, however few pages the commits seemed to add
TRUNCATE_WAIT_S = 30.0  # an erasure's wait for the log to empty (the busy timeout's 30 s)


class Checkpointer:
    """The checkpoints of one SQLite file, by a thread started when the first is due."""

    __slots__ = (
        "_commits",
        "_connect",
        "_due",
        "_frames",
        "_generation",
        "_lock",
        "_log",
        "_marker",
        "_per_commit",
        "_stopping",
        "_thread",
        "_wake",
    )

    def __init__(self, connect: Callable[[], sqlite3.Connection], marker: str | None) -> None:
        """``connect`` opens the thread's own connection (set up as every other is, so that a
        checkpoint syncs the file as ``synchronous`` says); ``marker`` is the damage marker's
        path."""
        self._connect, self._marker = connect, marker
        self._commits = 0
        self._due = CHECKPOINT_PAGES // FIRST_PAGES_PER_COMMIT
        self._frames = 0  # in the log at the last checkpoint
        self._per_commit: float = FIRST_PAGES_PER_COMMIT
        self._generation = b""  # of the log at the last checkpoint (``_log_generation``)
        self._log = ""  # the log's file
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def committed(self) -> None:
        """Called by a writer after each commit.  Never raises: the commit has happened."""
        self._commits += 1
        if self._commits >= self._due:
            self._wake_thread()

    def _wake_thread(self) -> None:
        with self._lock:
            if self._stopping:
                return
            if self._thread is None:
                thread = threading.Thread(
                    target=self._run, name="casetracker-wal-checkpoints", daemon=True
                )
                try:
                    thread.start()
                except RuntimeError:  # no thread to be had: the writers' autocheckpoint stays
                    self._due = MOST_COMMITS
                    return
                self._thread = thread
            self._wake.set()

    def close(self) -> None:
        """Stop the thread and wait for it (a checkpoint under way is finished first)."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._wake.set()
        if thread is not None:
            thread.join()
        with self._lock:
            self._stopping = False
            self._wake.clear()
            self._commits = 0

    def _run(self) -> None:
        try:
            conn = self._connect()
            self._log = conn.execute("PRAGMA database_list").fetchone()[2] + "-wal"
        except sqlite3.Error:
            return  # the file is gone or unreadable: the writers' autocheckpoint stays
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        """One passive checkpoint, and when the next is due."""
        commits, self._commits = self._commits, 0
        if self._marker is not None and os.access(self._marker, os.F_OK):
            return
        try:
            busy, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            return  # as after SQLite's own autocheckpoint: the next one tries again
        if busy or frames < 0:
            return  # another connection is checkpointing
        # The pages a commit adds, from the log's growth since the last checkpoint; not known
        # when the log has started again from its beginning since (it shows only some).
        generation = self._log_generation()
        if commits and generation == self._generation and frames > self._frames:
            self._per_commit = (frames - self._frames) / commits
        # The next at the next multiple of CHECKPOINT_PAGES (one of them the autocheckpoint's
        # 1,000), started LEAD_COMMITS early so that it ends about there
        ahead = CHECKPOINT_PAGES - frames % CHECKPOINT_PAGES
        due = ahead / self._per_commit - LEAD_COMMITS
        if due < 1:
            due += CHECKPOINT_PAGES / self._per_commit
        self._due = max(1, min(MOST_COMMITS, int(due)))
        self._frames, self._generation = frames, generation

    def _log_generation(self) -> bytes:
        """What changes each time the log starts again from its beginning: the checkpoint
        sequence number and salts of its header (SQLite's file format, "WAL file format"),
        written with the first frame after each start."""
        try:
            with open(self._log, "rb") as log:
                return log.read(24)[12:]
        except OSError:
            return b""


def truncate(conn: Connection) -> None:
    """Copy the whole write-ahead log into the file and empty it (an erasure's clean-up: its
    frames hold older images of the pages).  SQLite waits for readers and writers (the busy
    timeout), but answers busy at once while another connection checkpoints, such as a
    ``Checkpointer``: then it is tried again."""
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
