"""Checkpointing SQLite's write-ahead log from a thread of its own, off the action's commit.

Why: SQLite copies the log back into the database file (a checkpoint) at the end of the commit
that leaves 1,000 pages or more in it (``wal_autocheckpoint``).  At about ten pages a caseworker
action that is one action in a hundred, and that action's commit then copies hundreds of pages
and syncs the file: on a 20,000-arrest synth database the cold action's p99 was 5.3-5.7 ms
against a goal of 3 (issue 18).  A longer log (the checkpoint at 4,000 pages) took the p99 to
1.3 ms but cost 7% of the action throughput, since every read looks its pages up in the log's
index first.  So the log is kept as short as before, and a thread does the copying.

- The writer counts its commits (``Checkpointer.committed``: an addition and a comparison) and
  wakes the thread (an ``Event``) once enough have been made to fill ``CHECKPOINT_PAGES`` at the
  pages a commit last added.  No timer: an idle TUI wakes nothing.
- The thread runs ``PRAGMA wal_checkpoint(PASSIVE)`` on a connection of its own.  A passive
  checkpoint takes no lock a reader or writer waits for; it copies the frames no reader still
  needs, and answers busy at once if another connection, here or in another process, is
  checkpointing (that one does the work).  What it answers (frames in the log, frames copied)
  says how many pages a commit adds, and so when to wake next.
- The backstop is SQLite's own autocheckpoint, left at 1,000 pages on every connection: should
  the thread fall behind (large commits, a slow disk), a commit checkpoints as it always did.
  The thread copies at a quarter of that, since a checkpoint copies only the frames committed
  before it began, and the next writer starts the log again from its beginning only if every
  frame was copied: of checkpoints at 500 pages, too few finished between two commits, the log
  reached the backstop and the writer still copied 60% of what it did without the thread;
  at 250 it copied none (writes by the writer's own thread, ``/proc/self/task/*/io``, on a
  20,000-arrest synth database).
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

CHECKPOINT_PAGES = 250  # pages in the log that wake the thread: a quarter of the backstop
FIRST_PAGES_PER_COMMIT = 10  # until a checkpoint has counted them: a caseworker action's ~10.5
MOST_COMMITS = 1_000  # between checkpoints, however few pages the commits seemed to add
TRUNCATE_WAIT_S = 30.0  # an erasure's wait for the log to empty (the busy timeout's 30 s)


class Checkpointer:
    """The checkpoints of one SQLite file, by a thread started when the first is due."""

    __slots__ = (
        "_commits",
        "_connect",
        "_due",
        "_frames",
        "_lock",
        "_marker",
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
        self._frames = 0  # in the log after the last checkpoint
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
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:
            return  # as after SQLite's own autocheckpoint: the next one tries again
        if busy or frames < 0:
            return  # another connection is checkpointing
        # After a checkpoint that copied everything, the next writer starts the log again from
        # its beginning; otherwise the commits since appended to it.
        added = frames if self._frames == 0 or frames < self._frames else frames - self._frames
        left = frames - copied
        if commits and added > 0:
            pages = max(CHECKPOINT_PAGES - left, 1)
            self._due = max(1, min(MOST_COMMITS, pages * commits // added))
        self._frames = frames if left else 0


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
                "the write-ahead log could not be emptied: other connections kept it busy for "
                f"{TRUNCATE_WAIT_S:.0f} s; what it holds stays there until the database's last "
                "connection closes"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
