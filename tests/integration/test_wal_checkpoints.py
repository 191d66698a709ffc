"""SQLite's write-ahead log is copied into the file by a thread, not by an action's commit
(``casetracker.adapters.wal_checkpoints``): started only once a checkpoint is due, stopped on
close, never copying into a file found damaged; and an erasure's emptying of the log waits for
a checkpoint under way instead of giving up on it."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from casetracker.adapters import wal_checkpoints
from casetracker.adapters.database import KeptConnections, enable_wal, make_engine
from casetracker.adapters.wal_checkpoints import Checkpointer

THREAD = "casetracker-wal-checkpoints"
ROW = "INSERT INTO t VALUES (randomblob(10000))"  # about four pages in the log


def _threads() -> int:
    return sum(t.name == THREAD for t in threading.enumerate())


def _until(done: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _kept(path: Path) -> KeptConnections:
    engine = make_engine(f"sqlite:///{path}")
    enable_wal(engine)
    kept = KeptConnections(engine)
    with kept.write() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (b BLOB)")
    return kept


def _insert(kept: KeptConnections, rows: int) -> None:
    for _ in range(rows):
        with kept.write() as conn:
            conn.exec_driver_sql(ROW)


def test_the_log_is_copied_by_a_thread_started_once_a_checkpoint_is_due(tmp_path):
    before = _threads()
    path = tmp_path / "cases.db"
    kept = _kept(path)
    _insert(kept, 1)
    assert _threads() == before  # a one-action process starts no thread
    empty = path.stat().st_size
    _insert(kept, 120)  # ~480 pages: under the writers' own autocheckpoint (1,000)
    assert _threads() == before + 1
    assert _until(lambda: path.stat().st_size > empty)  # only a checkpoint writes the file
    kept.close()
    assert _threads() == before
    _insert(kept, 1)  # kept connections are opened again after close, and so is the thread
    with kept.write() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 122
    kept.close()
    kept.engine.dispose()


def test_two_sessions_on_one_file_each_checkpoint_and_lose_nothing(tmp_path):
    """As two processes would: each has its own thread, and one that finds the other
    checkpointing (busy) leaves the work to it."""
    path = tmp_path / "cases.db"
    first, second = _kept(path), _kept(path)
    for _ in range(150):
        _insert(first, 1)
        _insert(second, 1)
    first.close()
    second.close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (300,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    first.engine.dispose()
    second.engine.dispose()


def test_nothing_is_copied_into_a_file_found_damaged(tmp_path):
    path = tmp_path / "cases.db"
    marker = tmp_path / "cases.db-damaged"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the thread is all that copies
    writer.execute("CREATE TABLE t (b BLOB)")
    empty = path.stat().st_size
    marker.write_text("damaged\n")
    checkpoints = Checkpointer(lambda: sqlite3.connect(path, check_same_thread=False), str(marker))

    def commit(rows: int) -> None:
        for _ in range(rows):
            writer.execute(ROW)
            checkpoints.committed()

    commit(100)
    time.sleep(0.5)
    assert path.stat().st_size == empty
    marker.unlink()
    commit(100)
    assert _until(lambda: path.stat().st_size > empty)
    checkpoints.close()
    writer.close()


def test_an_erasure_empties_the_log_even_while_another_checkpoint_runs(tmp_path):
    """SQLite refuses a TRUNCATE checkpoint at once, without its busy timeout, while another
    connection checkpoints: the erasure's clean-up tries again until the log is empty."""
    path = tmp_path / "cases.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE t (b BLOB)")
    for _ in range(20):
        writer.execute(ROW)
    writer.execute("BEGIN IMMEDIATE")  # the other checkpoint waits for this writer...
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA busy_timeout = 20000")

    def other_checkpoint() -> None:  # again when it found the probe below checkpointing
        while other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
            pass

    waiting = threading.Thread(target=other_checkpoint)
    waiting.start()
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        # ...holding the checkpoint lock, so that one more checkpoint is refused
        assert _until(lambda: conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()[0] == 1)
        assert conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one() == (1, -1, -1)
        threading.Timer(0.3, writer.execute, args=("COMMIT",)).start()
        started = time.monotonic()
        wal_checkpoints.truncate(conn)
        assert time.monotonic() - started > 0.2
    waiting.join()
    assert os.path.getsize(f"{path}-wal") == 0
    other.close()
    writer.close()
    engine.dispose()
