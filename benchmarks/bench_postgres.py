"""The caseworker action on PostgreSQL, against eventsourcing's PostgreSQL recorder in the same run.

    python -m benchmarks.bench_postgres [--url postgresql://postgres@127.0.0.1:5432/test] [-n 1000]

The work is benchmarks/bench_core's action (a note on one of 50 open cases, through the service
layer, by a police officer of one force), but on PostgreSQL and as a deployment runs it: the
officer is a real non-superuser login, a member of the application role set up by
``init --grant-to`` (docs/postgresql.md), so every guard the database holds a member to (the
triggers of migrations 0006-0007, the row-level security and role checks of 0012) runs on each
action.  The baseline is eventsourcing's ``PostgresApplicationRecorder`` saving one event per
save, on the same server.  Each run makes its own databases and roles and drops them afterwards.
The URL must be a superuser's (it creates them); the default is the test server's.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from benchmarks.bench_core import _es_case, _pct
from casetracker.adapters.schema import grant_app_role
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from tests.helpers import core_engine

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


def bench_action(admin_url: str, n: int) -> dict[str, float]:
    """``n`` notes by a police member login of the application role, as in bench_core."""
    tag = uuid.uuid4().hex[:8]
    group, member = f"ct_bench_app_{tag}", f"ct_bench_pc_{tag}"
    with _database(admin_url, f"ct_bench_{tag}") as url:
        owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with owner.connect() as conn:
            conn.execute(sa.text(f'CREATE ROLE "{group}" NOLOGIN'))
            conn.execute(sa.text(f'CREATE ROLE "{member}" LOGIN IN ROLE "{group}"'))
        try:
            create_database(url, "live", ("admin",))
            grant_app_role(owner, group)
            admin = Casetracker(url, role="admin", workflows=core_engine())
            admin.save_user(member, "PC Bench", ("police",), "MPS")
            admin.close()
            member_url = sa.engine.make_url(url).set(username=member).render_as_string(False)
            ct = Casetracker(member_url, role="police", workflows=core_engine())
            ids = [ct.open_case({"name": f"p{i}"}, "2015-06-21").case_id for i in range(50)]
            latencies = []
            started = perf()
            for i in range(n):
                t = perf()
                ct.act(ids[i % len(ids)], "add_note", {"text": "served papers"}, "2015-06-21T10:00")
                latencies.append(perf() - t)
            elapsed = perf() - started
            ct.close()
        finally:
            with owner.connect() as conn:
                conn.execute(sa.text(f'DROP OWNED BY "{member}", "{group}"'))
                conn.execute(sa.text(f'DROP ROLE "{member}", "{group}"'))
            owner.dispose()
    return {"per_s": n / elapsed, "p50_ms": _pct(latencies, 50) * 1e3,
            "p99_ms": _pct(latencies, 99) * 1e3}  # fmt: skip


def bench_eventsourcing(admin_url: str, n: int) -> dict[str, float]:
    """The same notes saved by eventsourcing's PostgreSQL recorder, one event per save."""
    from eventsourcing.application import Application

    case_class = _es_case()
    parsed = sa.engine.make_url(admin_url)
    with _database(admin_url, f"es_bench_{uuid.uuid4().hex[:8]}") as url:
        os.environ.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=sa.engine.make_url(url).database or "",
            POSTGRES_HOST=parsed.host or "127.0.0.1",
            POSTGRES_PORT=str(parsed.port or 5432),
            POSTGRES_USER=parsed.username or "postgres",
            POSTGRES_PASSWORD=parsed.password or "",
        )
        app: Application[uuid.UUID] = Application()
        cases = [case_class(name=f"p{i}") for i in range(50)]
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
    return {"per_s": n / elapsed, "p50_ms": _pct(latencies, 50) * 1e3,
            "p99_ms": _pct(latencies, 99) * 1e3}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="a superuser's URL on the server")
    parser.add_argument("-n", type=int, default=1000, help="actions per run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = args.url.replace("postgresql://", "postgresql+psycopg://", 1)
    for run in range(1, args.repeat + 1):
        ours = bench_action(url, args.n)
        theirs = bench_eventsourcing(url, args.n)
        print(
            f"run {run}: casetracker {ours['per_s']:.0f}/s p50 {ours['p50_ms']:.2f} ms "
            f"p99 {ours['p99_ms']:.2f} ms | eventsourcing {theirs['per_s']:.0f}/s "
            f"p50 {theirs['p50_ms']:.2f} ms p99 {theirs['p99_ms']:.2f} ms | "
            f"ratio ours/eventsourcing {ours['per_s'] / theirs['per_s']:.2f}"
        )


if __name__ == "__main__":
    main()
