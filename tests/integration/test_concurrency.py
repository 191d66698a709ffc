"""Several processes writing at once: no lost event, no duplicate sequence number, chains verify."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.helpers import new_service

ROOT = Path(__file__).resolve().parents[2]
WRITERS = int(os.environ.get("CASETRACKER_TEST_WRITERS", "4"))
PER_WRITER = int(os.environ.get("CASETRACKER_TEST_WRITES", "25"))


def _spawn(url: str, case_id: str, tag: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.writer_process",
            url,
            case_id,
            str(PER_WRITER),
            tag,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_concurrent_writers_same_and_different_cases(db_url):
    ct = new_service(db_url)
    shared = ct.open_case({"name": "shared"}).case_id
    procs = [_spawn(db_url, shared, f"s{i}") for i in range(WRITERS)]
    procs += [_spawn(db_url, "new", f"n{i}") for i in range(WRITERS)]
    acked = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0
        acked += [line.split()[1] for line in out.splitlines() if line.startswith("ack ")]
    assert len(acked) == 2 * WRITERS * PER_WRITER + WRITERS
    with ct.engine.connect() as conn:
        keys = {k for (k,) in conn.execute(sa.text("SELECT idempotency_key FROM events"))}
        per_case = conn.execute(
            sa.text("SELECT case_id, count(*), max(seq) FROM events GROUP BY case_id")
        ).all()
        positions = [
            p for (p,) in conn.execute(sa.text("SELECT position FROM events ORDER BY position"))
        ]
    assert set(acked) <= keys
    assert all(count == last for _, count, last in per_case)  # 1..n, no gap, no duplicate
    assert positions == list(range(1, len(positions) + 1))
    shared_count = next(c for case_id, c, _ in per_case if case_id == shared)
    assert shared_count == 1 + WRITERS * PER_WRITER
    assert ct.verify().ok
    ct.close()
