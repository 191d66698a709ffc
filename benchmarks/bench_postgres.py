"""casetracker on PostgreSQL, each figure against a baseline run in the same run.

    python -m benchmarks.bench_postgres [--url postgresql://postgres@127.0.0.1:5432/test]
        [-n 1000] [--repeat 3] [--events 50000] [--arrests 3000] [--only action,bulk,verify,rebuild]

action  - benchmarks/bench_core's action (a note on one of 50 open cases, through the service
          layer, by a police officer of one force), but on PostgreSQL and as a deployment runs
          it: the officer is a real non-superuser login, a member of the application role set
          up by ``init --grant-to`` (docs/postgresql.md), so every guard the database holds a
          member to (the triggers of migrations 0006-0007, the row-level security and role
          checks of 0012) runs on each action.  The baseline is eventsourcing's
          ``PostgresApplicationRecorder`` saving one event per save, on the same server.
          Each round runs both (the first alternating), with the load average; the summary
          gives the median and range of the rounds' ratio, p50 and p99, and each side's CPU
          per action: the client's (``time.process_time``) and, when the server runs on
          this machine, its backends' (``/proc/<pid>/stat``), which on a shared machine say
          more than the wall clock does.
bulk    - bench_core's bulk append (``bulk_open_cases``, what ``import`` and ``synth`` write the
          log with; "open + 9 notes" cases, 10,000 events a transaction) into a new database,
          against raw psycopg doing the same work into a new database of the same schema: the
          same encoding, chaining and key generation, the same events and cases rows, the same
          commit size, each table's rows sent with ``COPY`` (but not the Merkle tree's nodes,
          which ours writes too: the ratio errs low).  Both write as the database's
          owner, as bench_core's bulk does (``import`` in a deployment runs as a member).
verify  - ``verify`` of a seeded ``synth`` year (--arrests, BENCH_PG_ARRESTS) with two processes
          and with one, against raw psycopg reading the same columns in the same order and
          doing the chain's work on each row (bench_core's ``bench_hashlib``, the read timed).
rebuild - the whole ``casetracker rebuild`` of that year, two processes and one, against raw
          psycopg scanning the log and ``json.loads``-ing every payload (bench_core's
          ``bench_scan_json``).

Bulk, verify and rebuild print the median of --repeat rounds in which the baseline and ours
alternate, with the rounds' spread (bench_core's ``_side_by_side``).  Each run makes its own
databases and roles and drops them afterwards.  The URL must be a superuser's (it creates
them); the default is the test server's.  Sizes: --events (BENCH_PG_EVENTS, default 50,000)
and --arrests (BENCH_PG_ARRESTS, default 3,000; 190,000 is the report's year).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa

from benchmarks.bench_core import (
    EVENTS_PER_CASE,
    _case_events,
    _env,
    _es_case,
    _events_in,
    _fill,
    _pct,
    _side_by_side,
    bench_rebuild_all,
    bench_rebuild_all_one,
    bench_verify,
    bench_verify_one,
    stored_encoding,
)
from casetracker.domain import clock
from casetracker.integrity.encoding import (
    GENESIS,
    STORED_COLUMNS,
    STORED_FIELDS,
    canonical_json,
    stored_hash,
    stored_values,
)
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year
from tests.helpers import core_engine, member_database, police_of

perf = time.perf_counter
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def _database(admin_url: str, name: str) -> Iterator[str]:
    """A new database on the server of ``admin_url``, dropped afterwards; yields its URL."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _backends_cpu(engine: sa.Engine, database: str, user: str | None = None) -> Callable[[], float]:
    """A clock of the CPU seconds the server's backends for ``database`` (and ``user``) have
    used, read from ``/proc``: it reads 0 when the server is not on this machine."""
    with engine.connect() as conn:
        pids = conn.execute(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :db AND "
                "backend_type = 'client backend' AND pid <> pg_backend_pid() "
                "AND (CAST(:user AS text) IS NULL OR usename = :user)"
            ),
            {"db": database, "user": user},
        ).scalars().all()  # fmt: skip
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        total = 0.0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                return 0.0
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    return used


def _timed(n: int, step: Callable[[int], None], server: Callable[[], float]) -> dict[str, float]:
    """``n`` steps: the rate, p50 and p99, and the client's and server's CPU per step."""
    latencies = []
    cpu, served, started = time.process_time(), server(), perf()
    for i in range(n):
        t = perf()
        step(i)
        latencies.append(perf() - t)
    elapsed = perf() - started
    return {"per_s": n / elapsed, "p50_ms": _pct(latencies, 50) * 1e3,
            "p99_ms": _pct(latencies, 99) * 1e3,
            "client_cpu_ms": (time.process_time() - cpu) / n * 1e3,
            "server_cpu_ms": (server() - served) / n * 1e3}  # fmt: skip


def bench_action(admin_url: str, n: int) -> dict[str, float]:
    """``n`` notes by a police member login of the application role, as in bench_core."""
    tag = uuid.uuid4().hex[:8]
    group, member = f"ct_bench_app_{tag}", f"ct_bench_pc_{tag}"
    with _database(admin_url, f"ct_bench_{tag}") as url:
        owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with member_database(owner, url, group, [(member, "PC Bench", ("police",), "MPS")]):
                member_url = sa.engine.make_url(url).set(username=member).render_as_string(False)
                ct = Casetracker(member_url, role="police", workflows=core_engine())
                ids = [ct.open_case({"name": f"p{i}"}, "2015-06-21").case_id for i in range(50)]

                def note(i: int) -> None:
                    ct.act(
                        ids[i % len(ids)], "add_note", {"text": "served papers"}, "2015-06-21T10:00"
                    )

                database = sa.engine.make_url(url).database or ""
                result = _timed(n, note, _backends_cpu(owner, database, member))
                ct.close()
        finally:
            owner.dispose()
    return result


def bench_eventsourcing(admin_url: str, n: int) -> dict[str, float]:
    """The same notes saved by eventsourcing's PostgreSQL recorder, one event per save."""
    from eventsourcing.application import Application

    case_class = _es_case()
    parsed = sa.engine.make_url(admin_url)
    with _database(admin_url, f"es_bench_{uuid.uuid4().hex[:8]}") as url:
        database = sa.engine.make_url(url).database or ""
        os.environ.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=database,
            POSTGRES_HOST=parsed.host or "127.0.0.1",
            POSTGRES_PORT=str(parsed.port or 5432),
            POSTGRES_USER=parsed.username or "postgres",
            POSTGRES_PASSWORD=parsed.password or "",
        )
        app: Application[uuid.UUID] = Application()
        cases = [case_class(name=f"p{i}") for i in range(50)]
        for c in cases:
            app.save(c)

        def save(i: int) -> None:
            case = cases[i % len(cases)]
            case.note(text="served papers")
            app.save(case)

        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            result = _timed(n, save, _backends_cpu(admin, database))
        finally:
            admin.dispose()
        app.close()
    return result


def _actions(url: str, n: int, repeat: int) -> None:
    """Rounds of ours and eventsourcing's, the first alternating; each round, then the
    median and range of each figure over the rounds."""
    ours_all, theirs_all = [], []
    for run in range(1, repeat + 1):
        if run % 2:
            ours, theirs = bench_action(url, n), bench_eventsourcing(url, n)
        else:
            theirs, ours = bench_eventsourcing(url, n), bench_action(url, n)
        ours_all.append(ours)
        theirs_all.append(theirs)
        print(
            f"run {run} (load {os.getloadavg()[0]:.1f}): casetracker {ours['per_s']:.0f}/s "
            f"p50 {ours['p50_ms']:.2f} ms p99 {ours['p99_ms']:.2f} ms | eventsourcing "
            f"{theirs['per_s']:.0f}/s p50 {theirs['p50_ms']:.2f} ms p99 {theirs['p99_ms']:.2f} ms"
            f" | ratio ours/eventsourcing {ours['per_s'] / theirs['per_s']:.2f}"
        )
    ratios = [o["per_s"] / t["per_s"] for o, t in zip(ours_all, theirs_all, strict=True)]

    def spread(rounds: list[dict[str, float]], key: str) -> str:
        values = [r[key] for r in rounds]
        return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

    print(
        f"1. action [PostgreSQL, police member login]: ratio ours/eventsourcing median "
        f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}), goal >= 1.0"
    )
    for name, rounds in (("casetracker", ours_all), ("eventsourcing", theirs_all)):
        print(
            f"   {name}: p50 {spread(rounds, 'p50_ms')} ms, p99 {spread(rounds, 'p99_ms')} ms; "
            f"CPU per action: client {spread(rounds, 'client_cpu_ms')} ms, "
            f"server {spread(rounds, 'server_cpu_ms')} ms"
        )


# ---------------------------------------------------------------------------------- bulk


BULK_COMMIT = 10_000  # events per transaction, as bench_core's ``_fill`` and ``synth`` commit


@contextmanager
def _owner_service(admin_url: str) -> Iterator[Casetracker]:
    """A fresh live database written as its owner (the URL's login), as bench_core's bulk
    writes it: the owner runs ``init`` and is not held by the members' guards."""
    with _database(admin_url, f"ct_bulk_{uuid.uuid4().hex[:8]}") as url:
        create_database(url, "live", ("admin", "police"))
        police_of(url, "MPS")
        ct = Casetracker(url, role="police", workflows=core_engine())
        try:
            yield ct
        finally:
            ct.close()


def bench_bulk_ours(admin_url: str, events: int) -> float:
    """bench_core's bulk: ``bulk_open_cases`` of "open + 9 notes" cases, 1,000 cases a
    transaction, into a new database of the project's schema."""
    with _owner_service(admin_url) as ct:
        started = perf()
        _fill(ct, events)
        return events / (perf() - started)


def _raw_connect(url: str) -> psycopg.Connection:
    return psycopg.connect(
        sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False)
    )


def bench_bulk_raw(admin_url: str, events: int) -> float:
    """The floor: raw psycopg doing the store's work into a new database of the same schema (so the
    same tables, keys, unique constraints and triggers): the same canonical encoding and
    chaining, the same empty keys (recorded without a retry key), an events row per event and a
    cases row per case, ``BULK_COMMIT`` events a transaction, each table's rows sent with
    ``COPY``. It writes no Merkle tree nodes, which ``bulk_open_cases`` also does: the floor
    does less than ours, so the ratio errs low."""
    with _owner_service(admin_url) as ct:
        raw = _raw_connect(ct.engine.url.render_as_string(False))
        recorded = clock.utc_now_text()
        columns = ", ".join(STORED_COLUMNS)
        started = perf()
        position = 0
        cases = max(1, events // EVENTS_PER_CASE)
        per_batch = BULK_COMMIT // EVENTS_PER_CASE
        for start in range(0, cases, per_batch):
            rows, case_rows = [], []
            for n in range(start, min(cases, start + per_batch)):
                head, case_id = GENESIS, f"C-{n + 1:07d}"
                state: dict[str, str] = {}
                for seq, e in enumerate(_case_events(n), 1):
                    position += 1
                    state[e.workflow] = e.action
                    stored = stored_values(
                        (position, case_id, seq, "live", e.workflow, e.workflow_version,
                         e.instance, e.action, e.actor_user, e.actor_role, e.effective, recorded,
                         "", canonical_json(e.payload), head)
                    )  # fmt: skip
                    head = stored_hash(stored)
                    rows.append((*stored, head))
                case_rows.append(
                    (case_id, seq, head, position, recorded, recorded, canonical_json(state))
                )
            with raw.transaction(), raw.cursor() as cur:
                with cur.copy(f"COPY events ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                with cur.copy(
                    "COPY cases (case_id, version, head_hash, head_position, opened, updated, "
                    "state) FROM STDIN"
                ) as copy:
                    for row in case_rows:
                        copy.write_row(row)
        elapsed = perf() - started
        raw.close()
    return events / elapsed


# ---------------------------------------------------------------------------------- verify, rebuild


@contextmanager
def _synth_year(admin_url: str, arrests: int) -> Iterator[Casetracker]:
    """A seeded ``synth`` year in a new demo database, as bench_core's synth log."""
    with _database(admin_url, f"ct_synth_{uuid.uuid4().hex[:8]}") as url:
        create_database(url, "demo")
        ct = Casetracker(url, as_user="io.demo")
        t = perf()
        _, result = generate_year(
            ct, seed=1, year=2015, arrests=arrests, workers=os.cpu_count() or 1
        )
        print(
            f"   (synth year: {arrests} arrests, {result.events} events in {result.cases} "
            f"cases, {perf() - t:.1f} s)"
        )
        try:
            yield ct
        finally:
            ct.close()


def bench_read_hash_link(ct: Casetracker) -> float:
    """verify's floor: raw psycopg reads the same columns in (case, seq) order and does the
    chain's own work on each row (hash its stored encoding, compare with the stored hash, check
    its link), as bench_core's ``bench_hashlib`` - with the read timed too, as verify's is."""
    raw = _raw_connect(ct.engine.url.render_as_string(False))
    sha256 = hashlib.sha256
    link_at = len(STORED_FIELDS) - 1
    started = perf()
    n = broken = 0
    prev = GENESIS
    with raw.cursor(name="scan") as cur:
        cur.itersize = 10_000
        cur.execute(f"SELECT {', '.join(STORED_COLUMNS)} FROM events ORDER BY case_id, seq")
        for row in cur:
            stored = row[-1]
            if sha256(stored_encoding(row)).hexdigest() != stored or row[link_at] != (
                GENESIS if row[2] == 1 else prev
            ):
                broken += 1
            prev = stored
            n += 1
    elapsed = perf() - started
    raw.close()
    assert not broken
    return n / elapsed


def bench_scan_loads(ct: Casetracker) -> float:
    """The whole rebuild's floor, as bench_core's ``bench_scan_json``: one process scans the
    log in (case, seq) order with raw psycopg and parses every payload with ``json.loads``."""
    raw = _raw_connect(ct.engine.url.render_as_string(False))
    loads = json.loads
    started = perf()
    n = 0
    with raw.cursor(name="scan") as cur:
        cur.itersize = 10_000
        cur.execute("SELECT case_id, seq, step, stamp, payload FROM events ORDER BY case_id, seq")
        for row in cur:
            loads(row[4])
            n += 1
    elapsed = perf() - started
    raw.close()
    return n / elapsed


def _whole_log(ct: Casetracker, only: set[str], repeat: int) -> None:
    events = _events_in(ct)
    hashed = ("raw psycopg read + hash + link", functools.partial(bench_read_hash_link, ct))
    scanned = ("raw psycopg scan + json.loads", functools.partial(bench_scan_loads, ct))
    runs = []
    if "verify" in only:
        runs += [
            ("3. verify, two processes", hashed, "verify", bench_verify, 0.40),
            ("3b. verify, one process", hashed, "verify", bench_verify_one, 0.25),
        ]
    if "rebuild" in only:
        runs += [
            ("4. whole `casetracker rebuild`", scanned, "rebuild", bench_rebuild_all, 0.50),
            ("4b. whole rebuild, one process", scanned, "rebuild", bench_rebuild_all_one, 0.50),
        ]
    for title, floor, key, mine, goal in runs:
        _side_by_side(
            f"{title} [synth year, PostgreSQL]",
            events,
            floor,
            (f"casetracker {key}", functools.partial(mine, ct)),
            goal,
            repeat,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="a superuser's URL on the server")
    parser.add_argument("-n", type=int, default=1000, help="actions per run")
    parser.add_argument("--repeat", type=int, default=int(_env("BENCH_REPEAT", 3)))
    parser.add_argument(
        "--events", type=int, default=int(_env("BENCH_PG_EVENTS", 50_000)), help="bulk events"
    )
    parser.add_argument(
        "--arrests", type=int, default=int(_env("BENCH_PG_ARRESTS", 3_000)), help="synth year"
    )
    parser.add_argument("--only", default="action,bulk,verify,rebuild")
    args = parser.parse_args()
    url = args.url.replace("postgresql://", "postgresql+psycopg://", 1)
    only = set(args.only.split(","))
    print(f"# casetracker on PostgreSQL  load {os.getloadavg()[0]:.1f}  repeat {args.repeat}\n")
    if "bulk" in only:
        _side_by_side(
            "2. bulk append",
            args.events,
            ("raw psycopg COPY, same work", lambda: bench_bulk_raw(url, args.events)),
            ("casetracker bulk_open_cases", lambda: bench_bulk_ours(url, args.events)),
            0.90,
            args.repeat,
        )
    if only & {"verify", "rebuild"}:
        with _synth_year(url, args.arrests) as ct:
            _whole_log(ct, only, args.repeat)
    if "action" in only:
        _actions(url, args.n, args.repeat)


if __name__ == "__main__":
    main()
