"""Start-up of the command line: ``casetracker --help`` and ``casetracker locate``.

Target (issue 17): each under 0.3 s of wall-clock on an idle machine.  Each command is run as
its own process (``python -m casetracker ...``, as a user's shell would), alternating round by
round with the baseline, the same interpreter starting and doing nothing (``python -c pass``),
so that a busy machine shows up in the baseline too.  Printed per command: the median and range
of its wall-clock, its median CPU time (user + system, which other work on the machine does not
inflate), and the median of its excess over the baseline in the same round.

    python -m benchmarks.bench_startup              # 15 rounds
    python -m benchmarks.bench_startup --rounds 40
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_SECONDS = 0.3
COMMANDS: dict[str, list[str]] = {
    "baseline (python -c pass)": [sys.executable, "-c", "pass"],
    "casetracker --help": [sys.executable, "-m", "casetracker", "--help"],
    "casetracker locate": [sys.executable, "-m", "casetracker", "locate"],
}


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run (CPU from the child's own resource usage)."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # A fresh home: locate reads no one's configuration, and nothing is written.
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}
        env.pop("CASETRACKER_DB", None)
        for argv in COMMANDS.values():  # warm the file cache and the bytecode
            run_once(argv, env)
        walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
        cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
        excess: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.rounds):
            base_wall, _cpu = run_once(COMMANDS["baseline (python -c pass)"], env)
            for name, argv in COMMANDS.items():
                wall, cpu = run_once(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
                excess[name].append(wall - base_wall)
    print(f"{args.rounds} rounds, target {TARGET_SECONDS:.1f} s wall-clock")
    print(f"{'':28} {'wall p50':>9} {'range':>15} {'cpu p50':>8} {'over baseline':>14}")
    worst = 0.0
    for name in COMMANDS:
        wall = statistics.median(walls[name])
        if name.startswith("casetracker"):
            worst = max(worst, wall)
        print(
            f"{name:28} {wall:8.3f}s {min(walls[name]):6.3f}-{max(walls[name]):6.3f}s "
            f"{statistics.median(cpus[name]):7.3f}s {statistics.median(excess[name]):13.3f}s"
        )
    verdict = "within" if worst < TARGET_SECONDS else "OVER"
    print(f"slowest command p50 {worst:.3f} s: {verdict} the {TARGET_SECONDS:.1f} s target")


if __name__ == "__main__":
    main()
