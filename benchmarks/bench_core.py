"""Core store benchmarks, each printed as a ratio to a raw baseline measured in the same run.

    python -m benchmarks.bench_core [--scale 0.1] [--repeat 3] [--only action,bulk,verify,rebuild]

1. action  - one caseworker action through the service layer (validate, append, update the
             projection, commit; SQLite WAL, synchronous=FULL): p50/p99 and actions/s, against
             the eventsourcing library saving one event per save (if installed: `.[bench]`).
2. bulk    - bulk append (import path) against a raw sqlite3 executemany loop doing the same
             canonical encoding and SHA-256 chaining.
3. verify  - `verify` over the whole log against a bare hashlib loop chaining the same encodings
             in memory.
4. rebuild - rebuilding every projection from the log against a plain loop that streams the
             same rows from SQLite into a dict.

Sizes scale with --scale (default 1.0: 2,000 actions, 100,000 bulk events, 1,000,000 events for
verify and rebuild).  Keep --data-dir on a real disk: on tmpfs fsync is free.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from casetracker.adapters.database import write_transaction
from casetracker.domain.events import NewEvent
from casetracker.integrity.encoding import (
    GENESIS,
    STORED_FIELDS,
    canonical_json,
    stored_hash,
    stored_values,
)
from casetracker.services.cases import Casetracker
from casetracker.services.integrity import rebuild_projection, verify
from casetracker.services.setup import create_database
from tests.helpers import core_engine, police_of

perf = time.perf_counter
EVENTS_PER_CASE = 10


def _service(path: Path) -> Casetracker:
    url = f"sqlite:///{path}"
    create_database(url, "live", ("admin", "police"))
    police_of(url, "MPS")  # a police user belongs to one force
    return Casetracker(url, role="police", workflows=core_engine())


def _case_events(n: int) -> list[NewEvent]:
    opening = NewEvent(
        "case",
        1,
        0,
        "open_case",
        "pc.jones",
        "police",
        "2015-06-21",
        {"fields": {"force": "WMP", "ref": hashlib.sha256(str(n).encode()).hexdigest()}},
    )
    notes = [
        NewEvent(
            "case",
            1,
            0,
            "add_note",
            "io.patel",
            "immigration_officer",
            f"2015-07-{i + 1:02d}T10:00:00Z",
            {"fields": {"text": f"interviewed at custody suite, note {i} of case {n}" * 2}},
        )
        for i in range(EVENTS_PER_CASE - 1)
    ]
    return [opening, *notes]


def _fill(ct: Casetracker, events: int) -> None:
    cases = max(1, events // EVENTS_PER_CASE)
    batch = 1000
    for start in range(0, cases, batch):
        with write_transaction(ct.engine) as conn:
            ct.store.bulk_open_cases(
                (_case_events(n) for n in range(start, min(cases, start + batch))), conn
            )


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------- 1. action


def bench_action(workdir: Path, n: int) -> dict:
    ct = _service(workdir / "action.db")
    ids = [ct.open_case({"name": f"p{i}"}, "2015-06-21").case_id for i in range(50)]
    latencies = []
    started = perf()
    for i in range(n):
        t = perf()
        ct.act(ids[i % len(ids)], "add_note", {"text": "served papers"}, "2015-06-21T10:00")
        latencies.append(perf() - t)
    elapsed = perf() - started
    ct.close()
    return {
        "per_s": n / elapsed,
        "p50_ms": _pct(latencies, 50) * 1e3,
        "p99_ms": _pct(latencies, 99) * 1e3,
    }


@functools.cache
def _es_case():
    """The eventsourcing aggregate, defined once (the library registers classes by topic)."""
    from eventsourcing.domain import Aggregate, event

    class Case(Aggregate):
        @event("Opened")
        def __init__(self, name: str) -> None:
            self.notes = 0

        @event("Noted")
        def note(self, text: str) -> None:
            self.notes += 1

    return Case


def bench_eventsourcing(workdir: Path, n: int) -> dict | None:
    try:
        from eventsourcing.application import Application
    except ImportError:
        return None
    Case = _es_case()  # noqa: N806
    os.environ.update(
        PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=str(workdir / "es.db")
    )
    app = Application()
    cases = [Case(name=f"p{i}") for i in range(50)]
    for c in cases:
        app.save(c)
    latencies = []
    started = perf()
    for i in range(n):
        t = perf()
        case = cases[i % len(cases)]
        case.note(text="served papers")
        app.save(case)
        latencies.append(perf() - t)
    elapsed = perf() - started
    app.close()
    return {
        "per_s": n / elapsed,
        "p50_ms": _pct(latencies, 50) * 1e3,
        "p99_ms": _pct(latencies, 99) * 1e3,
    }


# ---------------------------------------------------------------------------------- 2. bulk


def bench_bulk_ours(workdir: Path, events: int) -> float:
    path = workdir / "bulk.db"
    ct = _service(path)
    started = perf()
    _fill(ct, events)
    elapsed = perf() - started
    ct.close()
    return events / elapsed


def bench_bulk_raw(workdir: Path, events: int) -> float:
    """The floor: raw sqlite3, same encoding and chaining, 1,000 rows per transaction."""
    path = workdir / "raw.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    columns = (*STORED_FIELDS, "hash")  # the columns our store writes
    conn.execute(
        f"CREATE TABLE events ({', '.join(columns)}, UNIQUE(case_id, seq), UNIQUE(idempotency_key))"
    )
    insert = f"INSERT INTO events VALUES ({', '.join('?' * len(columns))})"
    recorded = "2026-11-26T12:00:00.000000Z"
    started = perf()
    position = 0
    cases = max(1, events // EVENTS_PER_CASE)
    for start in range(0, cases, 100):
        rows = []
        for n in range(start, min(cases, start + 100)):
            head = GENESIS
            case_id = f"C-{n + 1:07d}"
            for seq, e in enumerate(_case_events(n), 1):
                position += 1
                values = (
                    position,
                    case_id,
                    seq,
                    "live",
                    e.workflow,
                    e.workflow_version,
                    e.instance,
                    e.action,
                    e.actor_user,
                    e.actor_role,
                    e.effective,
                    recorded,
                    uuid.uuid4().hex,
                    canonical_json(e.payload),
                    head,
                )
                columns = stored_values(values)
                head = stored_hash(columns)
                rows.append((*columns, head))
        conn.execute("BEGIN")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")
    elapsed = perf() - started
    conn.close()
    return events / elapsed


# ---------------------------------------------------------------------------------- 3/4. big log


def bench_verify(ct: Casetracker) -> float:
    with ct.engine.connect() as conn:
        started = perf()
        report = verify(conn, ct.info, ct.flow)
        elapsed = perf() - started
    assert report.ok, (report.damaged[:3], report.problems[:3])
    return report.events / elapsed


def bench_hashlib(ct: Casetracker) -> float:
    """The floor: chain SHA-256 over the same encodings, already in memory."""
    raw = sqlite3.connect(ct.engine.url.database)
    columns = ", ".join(STORED_FIELDS)
    encoded = [
        ("casetracker/event/1\x1f" + "\x1f".join(map(str, row))).encode()
        for row in raw.execute(f"SELECT {columns} FROM events ORDER BY case_id, seq")
    ]
    raw.close()
    sha256 = hashlib.sha256
    started = perf()
    prev = GENESIS.encode()
    for data in encoded:
        prev = sha256(b"\x00" + data + prev).hexdigest().encode()
    return len(encoded) / (perf() - started)


def bench_rebuild(ct: Casetracker) -> float:
    started = perf()
    rebuild_projection(ct.engine, ct.flow)
    elapsed = perf() - started
    with ct.engine.connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM events").scalar()
    return count / elapsed


def bench_rebuild_empty(ct: Casetracker) -> float:
    """Rebuild when every row must be written (the table emptied first, untimed)."""
    with write_transaction(ct.engine) as conn:
        conn.exec_driver_sql("DELETE FROM cases")
    return bench_rebuild(ct)


def bench_stream_dict(ct: Casetracker) -> float:
    """The floor: stream (case, step) rows from SQLite into a dict."""
    raw = sqlite3.connect(ct.engine.url.database)
    started = perf()
    state: dict[str, str] = {}
    n = 0
    for case_id, step in raw.execute("SELECT case_id, step FROM events ORDER BY position"):
        state[case_id] = step
        n += 1
    elapsed = perf() - started
    raw.close()
    return n / elapsed


# ---------------------------------------------------------------------------------- main


def _side_by_side(
    title: str,
    events: int,
    baseline: tuple[str, Callable[[], float]],
    ours: tuple[str, Callable[[], float]],
    goal: float,
    repeat: int,
) -> None:
    """Baseline and ours alternate round by round, so a slow spell of this shared machine
    lands on both; the ratio printed is the median of the rounds' own ratios."""
    rates: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        rates[0].append(baseline[1]())
        rates[1].append(ours[1]())
    ratios = sorted(o / b for b, o in zip(*rates, strict=True))
    print(f"{title} ({events} events)")
    _line(baseline[0], statistics.median(rates[0]))
    _line(
        ours[0],
        statistics.median(rates[1]),
        f"ratio {statistics.median(ratios):.2f} (rounds {ratios[0]:.2f}-{ratios[-1]:.2f}; "
        f"goal >= {goal:.2f})\n",
    )


def _line(label: str, rate: float, tail: str = "") -> None:
    print(f"   {label:<30}{rate:10.0f}/s  {tail}")


def _latency(m: dict) -> str:
    return f"p50 {m['p50_ms']:.2f} ms  p99 {m['p99_ms']:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="action,bulk,verify,rebuild")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    only = set(args.only.split(","))
    base = Path(args.data_dir or tempfile.mkdtemp(prefix="ct-bench-", dir="."))
    base.mkdir(parents=True, exist_ok=True)
    print(
        f"# casetracker core benchmarks  sqlite {sqlite3.sqlite_version}  scale {args.scale}  "
        f"repeat {args.repeat} (medians)\n"
    )
    try:
        if "action" in only:
            n = max(200, int(2000 * args.scale))
            ours, theirs = [], []
            for r in range(args.repeat):
                work = base / f"action{r}"
                work.mkdir()
                ours.append(bench_action(work, n))
                es = bench_eventsourcing(work, n)
                if es:
                    theirs.append(es)
            med = {k: statistics.median(x[k] for x in ours) for k in ours[0]}
            print(f"1. caseworker action ({n} per round)")
            _line("casetracker act()", med["per_s"], _latency(med))
            if theirs:
                es = {k: statistics.median(x[k] for x in theirs) for k in theirs[0]}
                _line("eventsourcing save()", es["per_s"], _latency(es))
                ratio = med["per_s"] / es["per_s"]
                print(f"   ratio ours/eventsourcing {ratio:.2f} (goal >= 1.0); p99 goal < 2 ms")
            else:
                print("   eventsourcing not installed: pip install '.[bench]' for the comparison")
            print()
        if "bulk" in only:
            events = max(10_000, int(100_000 * args.scale))
            ours, raw = [], []
            for r in range(args.repeat):
                work = base / f"bulk{r}"
                work.mkdir()
                raw.append(bench_bulk_raw(work, events))
                ours.append(bench_bulk_ours(work, events))
            o, b = statistics.median(ours), statistics.median(raw)
            print(f"2. bulk append ({events} events per round)")
            _line("raw sqlite3 + encode + chain", b)
            _line("casetracker bulk_open_cases", o, f"ratio {o / b:.2f} (goal >= 0.70)\n")
        if only & {"verify", "rebuild"}:
            events = max(10_000, int(1_000_000 * args.scale))
            ct = _service(base / "big.db")
            t = perf()
            _fill(ct, events)
            print(f"   (filled {events} events in {perf() - t:.1f} s)")
            dict_floor = ("stream rows into a dict", bench_stream_dict)
            whole_log = [
                (
                    "verify",
                    "3. verify",
                    ("hashlib chain in memory", bench_hashlib),
                    bench_verify,
                    0.40,
                ),
                (
                    "rebuild",
                    "4. rebuild (the cases table already right)",
                    dict_floor,
                    bench_rebuild,
                    0.50,
                ),
                (
                    "rebuild",
                    "4b. rebuild into an empty cases table",
                    dict_floor,
                    bench_rebuild_empty,
                    0.50,
                ),
            ]
            for key, title, (floor, baseline), mine, goal in whole_log:
                if key in only:
                    _side_by_side(
                        title,
                        events,
                        (floor, functools.partial(baseline, ct)),
                        (f"casetracker {key}", functools.partial(mine, ct)),
                        goal,
                        args.repeat,
                    )
            ct.close()
    finally:
        if not args.data_dir:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
