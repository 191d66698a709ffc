"""Deadlines and owners at a million cases: ``tick`` for a day's worth, and the worklist's first
page with owners and deadlines (issue 16).

The database is built once with ``EventStore.bulk_open_cases`` (real events, hashed and
chained): every case an arrest still in police custody, one in three an immigration offender,
one in ten of the custody items claimed by an officer (a real ``claim_item`` event).  Arrest
times are spread evenly over a year around the moment the benchmark calls "now", so that each
day one 365th of the cases has its PACE deadlines fall due; the worklist and deadline rows are
those of the real read models (``worklist.rows_for``, ``deadlines.rows_for``) computed for one
case of each shape and shifted by each case's own arrest time, as bench_tui does.

Measured, each beside a baseline run in the same process on the same database:

- ``tick`` at "now" (catching up what fell due before it), a day later (a day's worth), and again
  (nothing due: it must read only what is due, not every case), as events/s and seconds;
  baseline: the same number of caseworker actions (``add_note``) through the service.
- the first page (200 rows) of three queues: the police custody queue of one force, the
  IO's offenders in custody, and "My work" of the officer who holds items, cold (a new
  service) and warm; baseline: the same ordered range read on a raw sqlite3 connection.

    python -m benchmarks.bench_work                       # BENCH_WORK_CASES, else 1,000,000
    BENCH_WORK_CASES=100000 python -m benchmarks.bench_work --db /tmp/work100k.db

The database is built afresh by every run (a run's ticks record what a second run would).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from casetracker.adapters import deadlines, worklist
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.adapters.store import EventStore
from casetracker.adapters.tables import CASES
from casetracker.domain import clock
from casetracker.domain.case_view import CaseView
from casetracker.domain.effective_time import instant
from casetracker.domain.events import NewEvent, RecordedEvent
from casetracker.domain.identity import SEEDED_POLICE, SEEDED_USERS
from casetracker.services import work, worklists
from casetracker.services.cases import Casetracker
from casetracker.services.registry import workflow_engine
from casetracker.services.setup import create_database, open_database

FORCES = ("MPS", "WMP", "WYP", "GMP", "KEN", "TVP")
BATCH = 20_000
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
HOLDER = SEEDED_USERS["police"][0]  # the MPS officer: holds every tenth MPS custody item


def _shape(kind: int, claimed: bool, force: str, arrested: datetime) -> list[NewEvent]:
    flow = workflow_engine()

    def ev(workflow: str, number: int, action: str, role: str, at: datetime, **fields) -> NewEvent:
        user = SEEDED_POLICE.get(force, SEEDED_USERS[role])[0] if role == "police" else None
        user = user or SEEDED_USERS[role][0]
        version = flow.latest[workflow].version
        return NewEvent(
            workflow, version, number, action, user, role, instant(at).text, {"fields": fields}
        )

    t = arrested
    events = [
        ev("case", 0, "open_case", "police", t, force=force),
        ev("encounter", 1, "arrest", "police", t,
           offence="shoplifting", offence_category="theft", force=force),
        ev("detention", 0, "enter_police_custody", "police", t),
        ev("status_check", 1, "refer_to_ccu", "police", t + timedelta(minutes=30), encounter=1),
    ]  # fmt: skip
    if kind:
        events += [
            ev("status_check", 1, "check_cid", "ccu", t + timedelta(minutes=50)),
            ev("status_check", 1, "record_immigration_offender", "ccu", t + timedelta(minutes=55),
               offender_kind="overstayer"),
        ]  # fmt: skip
    if claimed:
        owner = SEEDED_POLICE.get(force, SEEDED_USERS["police"])[0]
        events.append(
            ev("work", 0, "claim_item", "police", t + timedelta(minutes=60),
               queue="custody", item="encounter#1", owner=owner)
        )  # fmt: skip
    return events


def _view(flow, events: list[NewEvent]) -> CaseView:
    recorded = [
        RecordedEvent(0, "C-T", seq, "demo", e.workflow, e.workflow_version, e.instance, e.action,
                      e.actor_user, e.actor_role, e.effective, "2026-01-01T00:00:00.000000Z", "",
                      json.dumps(e.payload), "", "")
        for seq, e in enumerate(events, 1)
    ]  # fmt: skip
    return flow.fold("C-T", recorded)


def _shift(text: str, delta: timedelta) -> str:
    if text == worklist.NEVER:
        return text
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")) + delta
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(url: str, cases: int) -> None:
    """Arrests every ``YEAR / cases`` from a day before NOW: a day's deadlines fall due a day."""
    create_database(url, "demo")
    engine, info = open_database(url)
    flow = workflow_engine()
    store = EventStore(engine, info.realm, flow)
    base = NOW
    shapes = [(k, c, f) for k in (0, 1) for c in (False, True) for f in FORCES]
    templates = {}
    for kind, claimed, force in shapes:
        view = _view(flow, _shape(kind, claimed, force, base))
        templates[(kind, claimed, force)] = (worklist.rows_for(view), deadlines.rows_for(view))
    step = YEAR / cases
    first = NOW - timedelta(days=1)
    done, started = 0, time.perf_counter()
    while done < cases:
        size = min(BATCH, cases - done)
        chosen, batch = [], []
        for i in range(done, done + size):
            kind, claimed = int(i % 3 == 0), i % 10 == 0
            force = FORCES[(i // 3) % len(FORCES)]
            arrested = first + step * i
            chosen.append((kind, claimed, force, arrested))
            batch.append(_shape(kind, claimed, force, arrested))
        with write_transaction(engine) as conn:
            ids = store.bulk_open_cases(batch, conn)
            work_rows, due_rows = [], []
            for case_id, (kind, claimed, force, arrested) in zip(ids, chosen, strict=True):
                delta = arrested - base
                rows, due = templates[(kind, claimed, force)]
                work_rows += [
                    replace(r, case_id=case_id, due=_shift(r.due, delta),
                            deadline=_shift(r.deadline, delta))
                    for r in rows
                ]  # fmt: skip
                due_rows += [r._replace(case_id=case_id, due=_shift(r.due, delta)) for r in due]
            worklist.insert_rows(conn, work_rows)
            deadlines.insert_rows(conn, due_rows)
        done += size
        print(f"  {done:>9,} cases ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)
    engine.dispose()


def _count(url: str) -> int:
    engine, _ = open_database(url)
    with read_transaction(engine) as conn:
        found = conn.execute(sa.select(sa.func.count()).select_from(CASES)).scalar() or 0
    engine.dispose()
    return int(found)


def _tick(url: str, at: datetime) -> tuple[int, int, float]:
    clock.set_clock(lambda: at)
    ct = Casetracker(url, as_user=SEEDED_USERS["auditor"][0])
    started = time.perf_counter()
    result = work.tick(ct)
    seconds = time.perf_counter() - started
    ct.close()
    return len(result.recorded), result.cases, seconds


def _notes(url: str, case_ids: list[str], at: datetime) -> float:
    """Baseline: caseworker actions per second through the same service, same database."""
    clock.set_clock(lambda: at)
    ct = Casetracker(url, as_user=SEEDED_USERS["admin"][0])
    started = time.perf_counter()
    for case_id in case_ids:
        ct.act(case_id, "add_note", {"text": "benchmark"})
    seconds = time.perf_counter() - started
    ct.close()
    return len(case_ids) / seconds


def _page_times(url: str, user: str, role: str, queue: str, runs: int) -> tuple[float, float]:
    """(cold, warm median) seconds for the first page of ``queue``."""
    ct = Casetracker(url, as_user=user, role=role)
    started = time.perf_counter()
    worklists.page(ct, queue)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        items = worklists.page(ct, queue)
        warm.append(time.perf_counter() - started)
    ct.close()
    assert items, f"{queue} is empty"
    return cold, statistics.median(warm)


def _raw_page(path: str, query: str, params: tuple, runs: int) -> float:
    """Baseline: the same ordered range, 200 rows, on a raw sqlite3 connection."""
    conn = sqlite3.connect(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(query, params).fetchall()
        times.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(times)


_RAW = (
    "SELECT queue, case_id, item, due, force, label, owner, deadline FROM worklist WHERE {} "
    "ORDER BY deadline, due, case_id LIMIT 200"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_WORK_CASES", 10**6)))
    parser.add_argument("--db", default="")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use --db as built by a run that stopped before ticking",
    )
    args = parser.parse_args()
    path = Path(args.db or f"/tmp/casetracker-bench-work-{args.cases}.db")
    url = f"sqlite:///{path}"
    if args.reuse and path.exists():  # built by an earlier run that did not tick (upgraded)
        print(f"reusing {path}")
    else:
        path.unlink(missing_ok=True)  # built afresh: a run's ticks record what the next would
        print(f"building {args.cases:,} cases at {path} …", flush=True)
        started = time.perf_counter()
        build(url, args.cases)
        print(f"built in {time.perf_counter() - started:.0f} s")
    assert _count(url) == args.cases
    engine, _ = open_database(url)
    with read_transaction(engine) as conn:
        pending = conn.execute(sa.text("SELECT count(*) FROM deadlines")).scalar_one()
        rows = conn.execute(sa.text("SELECT count(*) FROM worklist")).scalar_one()
        held = conn.execute(sa.text("SELECT count(*) FROM worklist WHERE owner <> ''")).scalar_one()
    engine.dispose()
    print(f"{args.cases:,} cases, {rows:,} worklist rows ({held:,} held), {pending:,} deadlines")

    day = timedelta(days=1)
    ticks = {}
    for name, at in (("catch-up at now", NOW), ("a day later", NOW + day), ("again", NOW + day)):
        ticks[name] = _tick(url, at)
        events, cases, seconds = ticks[name]
        rate = events / seconds if seconds else 0.0
        print(f"tick {name:16} {events:>7,} events on {cases:>6,} cases in {seconds:7.2f} s"
              f"  ({rate:,.0f} events/s)")  # fmt: skip
    events, _, seconds = ticks["a day later"]
    sample = [f"C-{n:07d}" for n in range(1, min(args.cases, 500) + 1)]
    notes = _notes(url, sample, NOW + day)
    print(f"baseline: {notes:,.0f} caseworker actions/s (add_note, {len(sample)} cases); "
          f"tick a day's worth {events / seconds:,.0f} events/s = "
          f"{events / seconds / notes:.2f} x the action")  # fmt: skip

    clock.set_clock(lambda: NOW + day)
    police = SEEDED_USERS["police"][0]
    io = SEEDED_USERS["immigration_officer"][0]
    for label, user, role, queue, where, params in (
        ("custody, MPS", police, "police", "custody", "queue = ? AND force = ?",
         ("custody", "MPS")),
        ("offenders in custody", io, "immigration_officer", "offender_custody", "queue = ?",
         ("offender_custody",)),
        ("My work", police, "police", "mine", "owner = ? AND force = ?", (HOLDER, "MPS")),
    ):  # fmt: skip
        cold, warm = _page_times(url, user, role, queue, args.runs)
        raw = _raw_page(str(path), _RAW.format(where), params, args.runs)
        print(f"worklist first page, {label:21} cold {cold * 1000:7.1f} ms, warm "
              f"{warm * 1000:6.2f} ms; raw sqlite3 {raw * 1000:6.2f} ms "
              f"(warm = {warm / raw:.1f} x raw)")  # fmt: skip
    clock.set_clock(None)


if __name__ == "__main__":
    main()
