"""An erasure's emptying of SQLite's write-ahead log (``casetracker.adapters.wal_checkpoints``)
waits for a checkpoint under way, in another connection, instead of giving up on it."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable

from casetracker.adapters import wal_checkpoints
from casetracker.adapters.database import make_engine

ROW = "INSERT INTO t VALUES (randomblob(10000))"  # about four pages in the log


def _until(done: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


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
