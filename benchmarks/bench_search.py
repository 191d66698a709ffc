"""``case search`` on a large database (issue 16 item 4: results under 200 ms at 1 M cases).

The database is built once with ``EventStore.bulk_open_cases`` (real events, hashed and
chained): every case a synthetic person (name from lists, date of birth, nationality, a PNC and
a Home Office reference, kept in ``subjects`` and indexed by ``subjects.write_many``, the bulk
path's own) arrested by one of six forces over a year, one in three an immigration offender,
one in five detained under immigration powers, one in 100,000 listed as an absconder (the
absconder filter's worst case short of none: nearly every case is not one).  The report tables
(``mi_arrests``) and the worklist are those of ``mi_model`` and ``worklist.rows_for`` on each
case's own events, as an action would write them.

Measured, each the median of ``--runs`` warm calls of the service (``search.search``, which
also writes its access-log entry), beside a baseline in the same process on the same file: a
page of 50 cases read in case-id order on a raw sqlite3 connection.

    python -m benchmarks.bench_search                       # BENCH_SEARCH_CASES, else 50,000
    BENCH_SEARCH_CASES=1000000 python -m benchmarks.bench_search --db /tmp/search1m.db --reuse
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from casetracker.adapters import mi_model, subjects, worklist
from casetracker.adapters.database import write_transaction
from casetracker.adapters.store import EventStore
from casetracker.domain.effective_time import instant
from casetracker.domain.events import NewEvent, RecordedEvent
from casetracker.domain.identity import SEEDED_POLICE, SEEDED_USERS
from casetracker.domain.queues import WorkItem
from casetracker.integrity.personal_digests import digests
from casetracker.services import search
from casetracker.services.cases import Casetracker
from casetracker.services.registry import workflow_engine
from casetracker.services.setup import create_database, open_database

FORCES = ("MPS", "WMP", "WYP", "GMP", "KEN", "TVP")
FIRST = ("Alex", "Sam", "Jo", "Ali", "Maria", "Chen", "Zoë", "Olu", "Ivan", "Priya", "Tom",
         "Amir", "Lena", "Kofi", "Ana", "Raj", "Eva", "Ben", "Mia", "Luca")  # fmt: skip
LAST = tuple(f"Surname{n:04d}" for n in range(5000))  # 100,000 names, then repeats
NATIONALITIES = tuple(f"Nation{n:02d}" for n in range(40))
START = datetime(2025, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)
YEAR = 365 * DAY
BATCH = 20_000
ABSCONDERS = 100_000  # one case in this many is a listed absconder


def person(i: int) -> dict[str, object]:
    """The i-th synthetic person (all synthetic)."""
    return {
        "name": f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}",
        "date_of_birth": (datetime(1960, 1, 1) + timedelta(days=i % 15000)).date().isoformat(),
        "nationality": NATIONALITIES[i % len(NATIONALITIES)],
        "identifiers": [f"PNC {i:08d}X", f"HO-{i:09d}"],
    }


def _events(i: int, arrested: datetime, values: dict[str, object], salt: str) -> list[NewEvent]:
    flow = workflow_engine()
    force = FORCES[i % len(FORCES)]
    police = SEEDED_POLICE.get(force, SEEDED_USERS["police"])[0]

    def ev(workflow: str, action: str, role: str, at: datetime, number: int = 0, **fields):
        user = police if role == "police" else SEEDED_USERS[role][0]
        payload: dict = {"fields": fields}
        if action == "open_case":
            payload["personal"] = digests(salt, values)
        version = flow.latest[workflow].version
        return NewEvent(workflow, version, number, action, user, role, instant(at).text, payload)

    t = arrested
    events = [
        ev("case", "open_case", "police", t, force=force),
        ev("encounter", "arrest", "police", t, 1, offence="theft", offence_category="theft",
           force=force),
        ev("status_check", "refer_to_ccu", "police", t + timedelta(minutes=30), 1, encounter=1),
    ]  # fmt: skip
    if i % 3 == 0:
        events += [
            ev("status_check", "check_cid", "ccu", t + timedelta(minutes=50), 1),
            ev("status_check", "record_immigration_offender", "ccu", t + timedelta(minutes=55),
               1, offender_kind="overstayer"),
        ]  # fmt: skip
    if i % 5 == 0:
        events += [
            ev("encounter", "hand_to_immigration", "police", t + timedelta(hours=3), 1),
            ev("detention", "detain_under_immigration_powers", "immigration_officer",
               t + timedelta(hours=4)),
        ]  # fmt: skip
    if i % ABSCONDERS == 7:
        events += [
            ev("reporting", "issue_reporting_directions", "immigration_officer", t + DAY),
            ev("reporting", "record_missed_reporting", "immigration_officer", t + 8 * DAY),
            ev("reporting", "list_as_absconder", "immigration_officer", t + 9 * DAY),
        ]
    return events


def build(url: str, cases: int) -> None:
    create_database(url, "demo")
    engine, info = open_database(url)
    flow = workflow_engine()
    store = EventStore(engine, info.realm, flow)
    step = YEAR / cases
    done, started = 0, time.perf_counter()
    while done < cases:
        size = min(BATCH, cases - done)
        people = [(i, person(i), secrets.token_hex(32)) for i in range(done, done + size)]
        batch = [_events(i, START + step * i, values, salt) for i, values, salt in people]
        with write_transaction(engine) as conn:
            ids = store.bulk_open_cases(batch, conn)
            subjects.write_many(
                conn, [(c, salt, values) for c, (_, values, salt) in zip(ids, people, strict=True)]
            )
            work: list[WorkItem] = []
            for case_id, events in zip(ids, batch, strict=True):
                recorded = [
                    RecordedEvent(0, case_id, seq, "demo", e.workflow, e.workflow_version,
                                  e.instance, e.action, e.actor_user, e.actor_role, e.effective,
                                  "2026-01-01T00:00:00.000000Z", "", json.dumps(e.payload), "",
                                  "")
                    for seq, e in enumerate(events, 1)
                ]  # fmt: skip
                view = flow.fold(case_id, recorded)
                rows = mi_model.case_rows(view)
                if rows is not None:
                    mi_model.insert(conn, rows)
                work += worklist.rows_for(view)
            worklist.insert_rows(conn, work)
        done += size
        print(f"  {done:>9,} cases ({done / (time.perf_counter() - started):,.0f}/s)", flush=True)
    engine.dispose()


def _timed(ct: Casetracker, criteria: search.Criteria, runs: int) -> tuple[float, float, int]:
    """(cold, warm median) seconds and the number found, for one search."""
    started = time.perf_counter()
    found = search.search(ct, criteria, "benchmark")
    cold = time.perf_counter() - started
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        search.search(ct, criteria, "benchmark")
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm), len(found)


def _raw_page(path: Path, runs: int) -> float:
    conn = sqlite3.connect(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute("SELECT case_id, opened, updated, state FROM cases ORDER BY case_id "
                     "LIMIT 50").fetchall()  # fmt: skip
        times.append(time.perf_counter() - started)
    conn.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = int(os.environ.get("BENCH_SEARCH_CASES", 50_000))
    parser.add_argument("--cases", type=int, default=default)
    parser.add_argument("--db", default="")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="use --db if already built")
    args = parser.parse_args()
    path = Path(args.db or f"/tmp/casetracker-bench-search-{args.cases}.db")
    url = f"sqlite:///{path}"
    if not (args.reuse and path.exists()):
        path.unlink(missing_ok=True)
        print(f"building {args.cases:,} cases at {path} …", flush=True)
        started = time.perf_counter()
        build(url, args.cases)
        print(f"built in {time.perf_counter() - started:.0f} s")
    target = args.cases // 2
    someone = person(target)
    month = ((START + YEAR / 2).date().isoformat(), (START + YEAR / 2 + timedelta(days=30)))
    admin = Casetracker(url, as_user=SEEDED_USERS["admin"][0])
    queries = {
        "name (two words)": {"name": str(someone["name"])},
        "name + date of birth": {
            "name": str(someone["name"]), "dob": str(someone["date_of_birth"])},
        "identifier (PNC)": {"identifier": f"PNC {target:08d}X"},
        "nationality (1 in 40)": {"nationality": str(someone["nationality"])},
        "state detention=immigration_detention": {"states": ["detention=immigration_detention"]},
        # a rare state: nearly every case is read and fails (the state filter's worst case)
        "state reporting=listed_absconder": {"states": ["reporting=listed_absconder"]},
        "force WYP, arrested in a month": {
            "force": "WYP", "arrested": (month[0], month[1].date().isoformat())},
        "High Harm (none)": {"high_harm": True},
        f"listed absconder (1 in {ABSCONDERS:,})": {"absconder": True},
    }  # fmt: skip
    baseline = _raw_page(path, args.runs)
    print(f"{args.cases:,} cases; baseline: a page of 50 cases on raw sqlite3 "
          f"{baseline * 1000:.2f} ms")  # fmt: skip
    for label, typed in queries.items():
        criteria = search.criteria_from(admin, **typed)  # type: ignore[arg-type]
        cold, warm, n = _timed(admin, criteria, args.runs)
        verdict = "ok" if warm < 0.2 else "OVER 200 ms"
        print(f"  {label:40} {n:>3} found  cold {cold * 1000:8.1f} ms  warm {warm * 1000:8.1f} ms"
              f"  ({warm / baseline:,.0f}x baseline)  {verdict}")  # fmt: skip
    admin.close()
    force = FORCES[target % len(FORCES)]
    officer = Casetracker(url, as_user=SEEDED_POLICE[force][0])
    criteria = search.criteria_from(officer, name=str(someone["name"]))
    cold, warm, n = _timed(officer, criteria, args.runs)
    print(f"  {'name, as a ' + force + ' officer':40} {n:>3} found  cold {cold * 1000:8.1f} ms"
          f"  warm {warm * 1000:8.1f} ms  ({warm / baseline:,.0f}x baseline)")  # fmt: skip
    officer.close()


if __name__ == "__main__":
    main()
