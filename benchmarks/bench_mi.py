"""Management-information benchmarks at the report's scale (issue 6).

    python -m benchmarks.bench_mi [--scale 1.0] [--workers N] [--repeat 1] [--only synth]
                                  [--data-dir DIR]

1. synth   - a year of synthetic arrests (190,000 at scale 1.0) generated, checked through the
             engine and written through the bulk service path (``generate_year``, as the command
             runs it), in events/s against the goal of 20,000/s, and against the raw sqlite3
             baseline of benchmarks/bench_core doing the store's work (encoding, chaining, key
             generation, cases rows, commit size, durability) for as many events, the two
             alternating round by round (goal: synth >= 0.9x raw, issue 18).  ``--repeat``
             runs that many rounds on fresh databases and prints the median and range; the
             load average is printed with each round, since other work on a small machine
             moves the figure more than most changes do.
2. reports - each report (referrals as calls and as people, releases, durations, high-harm)
             over that database; goal < 1 s each.
3. sample  - the inspection's sample (40 per force, MPS/WMP/WYP, offenders, Jun-Nov 2015);
             goal < 1 s.

``--only synth`` stops after the first section.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_core import bench_bulk_raw
from casetracker.adapters.database import read_transaction
from casetracker.services import reports as mi_reports
from casetracker.services import sampling
from casetracker.services.cases import Casetracker
from casetracker.services.disclosure import draw_sample
from casetracker.services.setup import create_database
from casetracker.services.synthetic_plan import REPORT_ARRESTS
from casetracker.services.synthetic_year import generate_year

perf = time.perf_counter


SYNTH_GOAL = 20_000  # events/s, issue 6


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_synth(path: Path, arrests: int, workers: int) -> tuple[Casetracker, int, float]:
    """One ``generate_year`` into a fresh database: ``(service, events, events/s)``."""
    url = f"sqlite:///{path}"
    create_database(url, "demo")
    ct = Casetracker(url, as_user="admin.demo")
    started = perf()
    _, result = generate_year(ct, seed=1, year=2015, arrests=arrests, workers=workers)
    return ct, result.events, result.events / (perf() - started)


def _spread(values: list[float], fmt: str = "{:.0f}") -> str:
    """Median (min-max) of the rounds."""
    ordered = sorted(values)
    low, high = fmt.format(ordered[0]), fmt.format(ordered[-1])
    return f"{fmt.format(statistics.median(ordered))} ({low}-{high})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1, help="synth runs (median reported)")
    parser.add_argument("--only", choices=["synth"], default=None)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    base = Path(args.data_dir or tempfile.mkdtemp(prefix="ct-bench-mi-", dir="."))
    base.mkdir(parents=True, exist_ok=True)
    arrests = max(1000, int(REPORT_ARRESTS * args.scale))
    print(
        f"# casetracker MI benchmarks  scale {args.scale}  "
        f"({arrests:,} arrests, {args.workers} workers)\n"
    )
    try:
        print(f"1. synth ({_load()})")
        rates, raws, ratios = [], [], []
        ct = None
        for run in range(max(1, args.repeat)):  # the raw baseline and synth alternate
            if ct is not None:
                ct.close()
            ct, events, rate = bench_synth(base / f"year-{run}.db", arrests, args.workers)
            raw_dir = base / f"raw-{run}"
            raw_dir.mkdir(exist_ok=True)
            raw = bench_bulk_raw(raw_dir, events)
            rates.append(rate)
            raws.append(raw)
            ratios.append(rate / raw)
            print(
                f"   run {run + 1}: {events:,} events  synth {rate:10.0f}/s  raw {raw:10.0f}/s  "
                f"ratio {rate / raw:.2f}  ({_load()})"
            )
        assert ct is not None
        ours = statistics.median(rates)
        verdict = "met" if ours >= SYNTH_GOAL else "NOT met"
        ratio_verdict = "met" if statistics.median(ratios) >= 0.9 else "NOT met"
        print(f"   raw sqlite3, same work         {_spread(raws)}/s")
        print(
            f"   casetracker synth (validated)  {_spread(rates)}/s  ratio "
            f"{_spread(ratios, '{:.2f}')} (goal >= 0.90: {ratio_verdict}; "
            f">= {SYNTH_GOAL:,}/s: {verdict})\n"
        )
        if args.only == "synth":
            ct.close()
            return
        print("2. reports (goal < 1 s each)")
        with read_transaction(ct.engine) as conn:
            for label, build, params in (
                ("referrals --count calls", mi_reports.referrals, {"year": 2015, "count": "calls"}),
                (
                    "referrals --count people",
                    mi_reports.referrals,
                    {"year": 2015, "count": "people"},
                ),
                ("releases", mi_reports.releases, {"year": 2015}),
                ("durations", mi_reports.durations, {"year": 2015}),
                ("high-harm", mi_reports.high_harm, {}),
            ):
                t = perf()
                build(conn, **params)
                print(f"   {label:<30} {perf() - t:8.3f} s")
        req = sampling.request("MPS,WMP,WYP", 40, "2015-06-01", "2015-11-30", True, seed=1)
        t = perf()
        draw_sample(ct, req, "benchmark")
        print(f"\n3. sample 40 x MPS,WMP,WYP offenders   {perf() - t:8.3f} s (goal < 1 s)")
        ct.close()
    finally:
        if not args.data_dir:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
