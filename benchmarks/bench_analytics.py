"""Auditors' analytics benchmarks (issue 19, item 5).

    python -m benchmarks.bench_analytics [--arrests N] [--whatif-arrests N] [--db FILE]
                                         [--formats xes,ocel2-json,ocel2-sqlite] [--skip-whatif]

Sizes: ``--arrests`` (default ``$CASETRACKER_BENCH_ARRESTS``, else 20,000; the report's scale is
190,000) and ``--whatif-arrests`` (default ``$CASETRACKER_BENCH_WHATIF_ARRESTS``, else the
same).  ``--db`` keeps the generated year for later runs.

1. export  - ``export-log`` in each format over the synthetic year, in a child process of its
             own so that its peak memory (ru_maxrss) is the export's alone; events/s beside a
             baseline measured in the same run: streaming the same columns from the events
             table with raw sqlite3 and doing nothing with them.  Goal at 190,000 arrests:
             < 60 s, memory flat (compared with an export of a tenth of the cases).
2. load    - PM4Py reading each file back, when the analytics-test extra is installed
             (reported, no goal: it is the tool's time, not casetracker's).
3. flow    - ``report flow`` for the whole log, per encounter and for one force, beside the
             raw scan of the columns it reads and the same graph folded from the log
             (``flow_from_log``, how the report was made before its read model).  Goal at
             190,000 arrests: < 2 s.  Then what catching the read model (``flow_steps``) up
             from the log costs (SQLite: actions do not write it): after 2,000 notes on
             random cases, and with nothing behind.
4. what-if - one ``simulate`` pair (one seed, both organisations) for the ¶4.22 pilot.  Goal
             at 190,000 arrests: < 3 minutes on a 2-core machine.

Export and what-if print the CPU seconds of each process beside the wall time: on a shared
machine a session's processes share its slice of the CPU, so the wall time under load says
more about the load than about the code.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year

perf = time.perf_counter
PILOT = (
    Path(__file__).resolve().parents[1]
    / "casetracker/domain/data/what-if/io-night-shift-pilot.toml"
)
GOALS = {"export": 60.0, "flow": 2.0, "what-if": 180.0}  # seconds at 190,000 arrests


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu() -> tuple[float, float]:
    """CPU seconds (user and system) of this process and of its children waited for.  Beside
    the wall time: on a shared machine a session's processes share its slice of the CPU
    (Linux's autogroup), so under load two processes need not finish sooner, while the CPU
    each needs says what an idle machine's wall time would be."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def build(path: Path, arrests: int) -> None:
    if path.exists():
        print(f"reusing {path}")
        return
    url = f"sqlite:///{path}"
    create_database(url, "demo")
    ct = Casetracker(url, as_user="admin.demo")
    try:
        started = perf()
        _, result = generate_year(
            ct, seed=1, year=2015, arrests=arrests, workers=os.cpu_count() or 1
        )
        print(f"synth: {arrests:,} arrests, {result.events:,} events in {perf() - started:.1f} s")
    finally:
        ct.close()


def raw_scan(path: Path, payload: bool) -> tuple[int, float]:
    """The baseline: the rows the export (or the flow) reads, from raw sqlite3, untouched."""
    columns = "case_id, seq, step, stamp" + (", payload" if payload else "")
    db = sqlite3.connect(path)
    started = perf()
    count = 0
    cursor = db.execute(f"SELECT {columns} FROM events ORDER BY case_id, seq")
    while rows := cursor.fetchmany(10_000):
        count += len(rows)
    seconds = perf() - started
    db.close()
    return count, seconds


def _export_child(url: str, fmt: str, out: str, sample: list[str] | None, queue) -> None:
    from casetracker.services.process_export import export_log, request

    ct = Casetracker(url, as_user="audit.demo")
    try:
        summary = export_log(ct, request(fmt, Path(out), "benchmark", case_ids=sample))
    finally:
        ct.close()
    summary["cpu"] = _cpu()  # this process's half, the worker's
    queue.put((summary, _peak_mb()))


def _peak_mb() -> float:
    """This process's peak resident memory since its exec (``VmHWM``; ``ru_maxrss`` would
    carry over the parent's peak through the exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_in_child(url: str, fmt: str, out: Path, sample: list[str] | None = None):
    ctx = multiprocessing.get_context("spawn")  # a fresh process: its peak is the export's
    queue = ctx.Queue()
    child = ctx.Process(target=_export_child, args=(url, fmt, str(out), sample, queue))
    child.start()
    summary, peak_mb = queue.get()
    child.join()
    return summary, peak_mb


def bench_export(path: Path, workdir: Path, formats: list[str], load: bool = True) -> None:
    url = f"sqlite:///{path}"
    rows, raw_seconds = raw_scan(path, payload=True)
    print(f"baseline: raw sqlite3 scan of {rows:,} events in {raw_seconds:.2f} s "
          f"({rows / raw_seconds:,.0f} events/s)  [{_load()}]")  # fmt: skip
    db = sqlite3.connect(path)
    cases = [c for (c,) in db.execute("SELECT case_id FROM cases ORDER BY case_id")]
    db.close()
    tenth = cases[: max(1, len(cases) // 10)]
    for fmt in formats:
        out = workdir / f"year.{fmt}"
        out.unlink(missing_ok=True)
        started = perf()
        summary, peak = export_in_child(url, fmt, out)
        seconds = perf() - started
        small = workdir / f"tenth.{fmt}"
        small.unlink(missing_ok=True)
        _, small_peak = export_in_child(url, fmt, small, tenth)
        rate = summary["events"] / summary["seconds"]
        print(
            f"export {fmt:13} {summary['events']:,} events in {summary['seconds']:.1f} s "
            f"({rate:,.0f} events/s, {rate / (rows / raw_seconds):.3f}x raw scan; process "
            f"{seconds:.1f} s; CPU {summary['cpu'][0]:.1f} s here + {summary['cpu'][1]:.1f} s "
            f"in the worker), {summary['bytes'] / 1e6:,.0f} MB; peak RSS {peak:,.0f} MB "
            f"(a tenth of the cases: {small_peak:,.0f} MB); goal < {GOALS['export']:.0f} s  "
            f"[{_load()}]"
        )
        if load:
            bench_load(fmt, out)
        out.unlink()
        small.unlink()


def bench_load(fmt: str, out: Path) -> None:
    try:
        import pm4py  # the analytics-test extra; AGPL-3.0, never imported by casetracker
    except ImportError:
        print("  load: PM4Py not installed (pip install -e '.[analytics-test]')")
        return
    readers = {"xes": pm4py.read_xes, "ocel2-json": pm4py.read_ocel2_json,
               "ocel2-sqlite": pm4py.read_ocel2_sqlite}  # fmt: skip
    started = perf()
    loaded = readers[fmt](str(out))
    count = len(loaded) if fmt == "xes" else len(loaded.events)
    print(f"  PM4Py read it back: {count:,} events in {perf() - started:.1f} s")


def bench_flow(path: Path) -> None:
    from casetracker.services.flow import read_flow

    _, raw_seconds = raw_scan(path, payload=False)
    ct = Casetracker(f"sqlite:///{path}", as_user="audit.demo")
    try:
        for lifecycle, force in ((None, None), ("encounter", None), (None, "MPS")):
            started = perf()
            graph = read_flow(ct, force=force, year=2015, lifecycle=lifecycle)
            seconds = perf() - started
            print(
                f"flow {lifecycle or 'case':9} {force or '':3} {graph.events:,} steps, "
                f"{len(graph.paths)} paths "
                f"in {seconds:.2f} s (raw scan of the same columns {raw_seconds:.2f} s, "
                f"{raw_seconds / seconds:.2f}x); goal < {GOALS['flow']:.0f} s  [{_load()}]"
            )
        from casetracker.adapters.database import read_transaction
        from casetracker.services.flow import flow_from_log

        started = perf()  # the same graph folded from the log, as the report was made before
        with read_transaction(ct.engine) as conn:
            graph = flow_from_log(conn, ct.flow, year=2015)
        print(
            f"flow case from the log (flow_from_log, the baseline) {graph.events:,} steps in "
            f"{perf() - started:.2f} s  [{_load()}]"
        )
    finally:
        ct.close()


def bench_flow_catch_up(path: Path, actions: int = 2000, rounds: int = 3) -> None:
    """What catching ``flow_steps`` up costs on SQLite, where actions no longer write it and
    ``report flow`` catches it up from the log first (``flow_model.catch_up``): ``actions``
    notes on distinct random cases of the year (a fresh service each round, as CLI actions
    are), then the catch-up they left behind, then catch-ups with nothing behind; CPU (this
    process) and wall time, median and range of ``rounds``."""
    import random
    import statistics

    from casetracker.adapters import flow_model

    db = sqlite3.connect(path)
    cases = [c for (c,) in db.execute("SELECT case_id FROM cases ORDER BY case_id")]
    db.close()
    picks = random.Random(19)
    behind_cpu: list[float] = []
    behind_wall: list[float] = []
    idle_us: list[float] = []
    for _ in range(rounds):
        ct = Casetracker(f"sqlite:///{path}", as_user="io.demo")
        try:
            assert flow_model.catch_up(ct.engine)  # start from a table at the log's end
            for case_id in picks.sample(cases, min(actions, len(cases))):
                ct.act(case_id, "add_note", {"text": "seen at the suite"})
            cpu, started = time.process_time(), perf()
            assert flow_model.catch_up(ct.engine)
            behind_wall.append(perf() - started)
            behind_cpu.append(time.process_time() - cpu)
            started = perf()
            for _ in range(100):
                assert flow_model.catch_up(ct.engine)
            idle_us.append((perf() - started) / 100 * 1e6)
        finally:
            ct.close()
    per_action = [c / actions * 1e6 for c in behind_cpu]
    print(
        f"flow catch-up after {actions:,} notes on distinct cases: "
        f"{statistics.median(behind_wall):.2f} s ({min(behind_wall):.2f}-{max(behind_wall):.2f}), "
        f"CPU {statistics.median(behind_cpu):.2f} s = {statistics.median(per_action):.0f} us "
        f"per action ({min(per_action):.0f}-{max(per_action):.0f}); nothing behind "
        f"{statistics.median(idle_us):.0f} us ({min(idle_us):.0f}-{max(idle_us):.0f}); "
        f"{rounds} rounds  [{_load()}]"
    )


def bench_whatif(arrests: int) -> None:
    from casetracker.services.simulation import request, simulate

    what = request(PILOT, None, 2015, arrests, 1, 1)
    before = _cpu()
    started = perf()
    tallies = simulate(what, workers=os.cpu_count() or 1)
    seconds = perf() - started
    after = _cpu()
    base, alt = tallies["baseline"][0], tallies["alternative"][0]
    print(
        f"what-if pair: {arrests:,} arrests x 2 organisations in {seconds:.1f} s "
        f"({2 * arrests / seconds:,.0f} arrests/s; CPU {after[0] - before[0]:.1f} s here + "
        f"{after[1] - before[1]:.1f} s in the workers); released before an IO saw them "
        f"{base.before_io:,} -> {alt.before_io:,}; goal < {GOALS['what-if']:.0f} s  [{_load()}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default = int(os.environ.get("CASETRACKER_BENCH_ARRESTS", "20000"))
    parser.add_argument("--arrests", type=int, default=default)
    whatif = os.environ.get("CASETRACKER_BENCH_WHATIF_ARRESTS")
    parser.add_argument(
        "--whatif-arrests",
        type=int,
        default=int(whatif) if whatif else None,
        help="default: --arrests",
    )
    parser.add_argument("--db", default=None, help="keep the generated year here")
    parser.add_argument("--formats", default="xes,ocel2-json,ocel2-sqlite")
    parser.add_argument("--skip-whatif", action="store_true")
    parser.add_argument(
        "--skip-catch-up", action="store_true", help="do not time the flow read model's catch-up"
    )
    parser.add_argument("--skip-load", action="store_true", help="do not read back with PM4Py")
    parser.add_argument("--only", choices=["what-if"], default=None, help="only this section")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ct-bench-analytics-") as tmp:
        workdir = Path(tmp)
        path = Path(args.db) if args.db else workdir / "year.db"
        if args.only is None:
            build(path, args.arrests)
            bench_export(path, workdir, args.formats.split(","), not args.skip_load)
            bench_flow(path)
            if not args.skip_catch_up:
                bench_flow_catch_up(path)
        if not args.skip_whatif:
            bench_whatif(args.whatif_arrests or args.arrests)


if __name__ == "__main__":
    main()
