"""``casetracker simulate``: what-if runs of the organisation model (Recommendation 2, ¶4.22).

The report asks the Home Office to review how IOs are deployed (hub and spoke, embedded IOs,
rotas, the IO night-shift pilot for the busiest MPS stations, ¶4.22).  A what-if run generates
the same synthetic year (``casetracker.services.synthetic_*``, the ``synth`` generator) under two
organisation files, with the same seed, checks every step through the engine with each file's
rules (``registry.engine_for``) and derives each arrest's management-information row as
``synth`` would (``mi_model.rows_for``, so "released before an IO saw them" is the one measure
of ``casetracker.domain.rules.io_coverage``).  Nothing is written: the years live in memory.

Same seed, same people, arrests, routes and times: a change of IO shifts changes whether an IO
was on shift when each offender left, and so which chance of being seen applies; where that
changes the outcome, the person's later draws shift too.  So most of the difference between the
two runs is the organisation's, not the dice's (common random numbers), and the spread over
seeds shows what is left.  A change that adds or removes suites changes the draws of that
force's people as well.  Over
``seeds`` seeds the differences give a spread: the mean difference and a 95% interval (Student's
t over the seeds).  Every parameter of the model is in ``MODEL_PARAMETERS``, printed with the
results and listed in docs/assumptions.md: none is published, all are this project's choices.
What the organisation file changes in the model: each suite's IO shifts and model (central or
not) and the forces and suites themselves; CID, custody-database and DVA access change no
chance in the synthetic year (the results say so).
"""

from __future__ import annotations

import math
import multiprocessing
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from casetracker.adapters.organisation_file import load
from casetracker.adapters.report_tables import MI_ARRESTS
from casetracker.domain import clock
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.errors import UsageError
from casetracker.domain.organisation import Organisation
from casetracker.integrity.dbapi import collector_paused
from casetracker.services import synthetic_arrests as model
from casetracker.services.bulk import BulkValidator
from casetracker.services.registry import engine_for, organisation
from casetracker.services.reports import Table
from casetracker.services.synthetic_arrests import CaseSteps, horizon_of
from casetracker.services.synthetic_plan import REPEAT_CALL, plan, profiles

# (name, value, what it stands for): the parameters that turn an organisation into outcomes.
MODEL_PARAMETERS: tuple[tuple[str, float | str, str], ...] = (
    ("SEEN_IN_HOURS", model.SEEN_IN_HOURS,
     "chance an IO sees an immigration offender before they leave police custody, when an IO "
     "is on shift at their suite then (outside London, not a central suite)"),
    ("SEEN_OUT_OF_HOURS", model.SEEN_OUT_OF_HOURS, "the same when no IO is on shift"),
    ("SEEN_IN_HOURS_LONDON", model.SEEN_IN_HOURS_LONDON,
     "in London, an IO on shift (lower: the problem is most acute there, ¶4.22)"),
    ("SEEN_OUT_OF_HOURS_LONDON", model.SEEN_OUT_OF_HOURS_LONDON, "in London, no IO on shift"),
    ("SEEN_AT_CENTRAL_SUITE", model.SEEN_AT_CENTRAL_SUITE,
     "at a hub or rota suite outside London, on shift or not (¶4.23)"),
    ("GENERATION_SHIFT", str(model.GENERATION_SHIFT),
     "IO cover assumed for an arrest at no configured suite (30% of arrests)"),
    ("SHIFT_EFFECT", "same",
     "a shift added to a suite counts like any other: a night shift gives the in-hours chance"),
    ("REPEAT_CALL", REPEAT_CALL, "CCU referrals followed by a second call about one arrest"),
)  # fmt: skip

REMOVAL_STARTS = frozenset({"serve_removal_papers", "make_deportation_decision"})
CHUNK = 500  # people per unit of work handed to a worker process
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086)  # fmt: skip
"""Student's t, two-sided 95%, for 1..20 degrees of freedom (published tables)."""


@dataclass
class Tally:
    """What one run counts, summed over people (chunks add up)."""

    arrests: int = 0
    offenders: int = 0
    left: int = 0  # offenders who left police custody
    before_io: int = 0  # ... before an IO saw them
    before_io_dealt: int = 0  # ... but the Home Office had dealt with them first
    ccu_calls: int = 0
    local_io: int = 0
    local_ice: int = 0
    not_referred: int = 0
    detained: int = 0  # handed to immigration detention
    removals_started: int = 0
    to_io_hours: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


# (key, what, unit): the measures the report cares about, in the order printed.
MEASURES = (
    ("before_io_rate", "offenders who left police custody before an IO saw them", "%"),
    ("before_io_not_dealt_rate", "  ... the Home Office had not dealt with them", "%"),
    ("before_io_dealt_rate", "  ... the Home Office had dealt with them first", "%"),
    ("before_io", "offenders who left before an IO saw them", "n"),
    ("to_io_median_h", "arrest to the IO seeing them, median", "h"),
    ("to_io_p90_h", "arrest to the IO seeing them, 90th percentile", "h"),
    ("ccu_rate", "referrals to CCU per arrest (calls)", "%"),
    ("local_io_rate", "referrals to a local IO per arrest", "%"),
    ("local_ice_rate", "referrals to a local ICE office per arrest", "%"),
    ("not_referred_rate", "arrests never referred", "%"),
    ("detained", "handed to immigration detention", "n"),
    ("removals_started", "removals started (papers served or deportation decided)", "n"),
)


def measures(t: Tally) -> dict[str, float | None]:
    """The measures of one run; rates of offenders are per offender who left custody."""
    hours = sorted(t.to_io_hours)

    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return {
        "before_io_rate": rate(t.before_io, t.left),
        "before_io_not_dealt_rate": rate(t.before_io - t.before_io_dealt, t.left),
        "before_io_dealt_rate": rate(t.before_io_dealt, t.left),
        "before_io": t.before_io,
        "to_io_median_h": hours[len(hours) // 2] if hours else None,
        "to_io_p90_h": hours[min(len(hours) - 1, int(0.9 * len(hours)))] if hours else None,
        "ccu_rate": rate(t.ccu_calls, t.arrests),
        "local_io_rate": rate(t.local_io, t.arrests),
        "local_ice_rate": rate(t.local_ice, t.arrests),
        "not_referred_rate": rate(t.not_referred, t.arrests),
        "detained": t.detained,
        "removals_started": t.removals_started,
    }


# ---------------------------------------------------------------------------- one person

_COLUMN = {name: i for i, name in enumerate(MI_ARRESTS.c.keys())}
_JOB: dict[str, Any] = {}


def _tally_people(task: tuple[int, int, int]) -> tuple[int, Tally]:
    """In a worker: run ``run``'s people ``[a, b)`` through the generator and the engine."""
    run, a, b = task
    job = _JOB["runs"][run]
    validator: BulkValidator = job["validator"]
    tally = Tally()
    for person in job["people"][a:b]:
        steps = CaseSteps(person, job["seed"], job["year"], _JOB["horizon"]).build()
        _count(validator.prepare(steps), tally)
    return run, tally


def _count(prepared: Any, tally: Tally) -> None:
    c = _COLUMN
    for row in prepared.rows.arrests:
        tally.arrests += 1
        tally.ccu_calls += row[c["ccu_calls"]]
        tally.local_io += row[c["local_io_referrals"]]
        tally.local_ice += row[c["local_ice_referrals"]]
        tally.not_referred += row[c["route"]] == "none"
        if not row[c["offender"]]:
            continue
        tally.offenders += 1
        if row[c["released"]]:
            tally.left += 1
            if row[c["released_before_io"]]:
                tally.before_io += 1
                tally.before_io_dealt += bool(row[c["home_office_acted"]])
    arrested: dict[int, datetime] = {}
    for event in prepared.events:
        if event.workflow == "encounter" and event.instance not in arrested:
            arrested[event.instance] = parse_canonical(event.effective).start
        elif event.action == "record_seen_by_io":
            seen = parse_canonical(event.effective).start
            tally.to_io_hours.append((seen - arrested[event.instance]).total_seconds() / 3600)
        elif event.action == "detain_under_immigration_powers":
            tally.detained += 1
        elif event.action in REMOVAL_STARTS:
            tally.removals_started += 1


# ---------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class WhatIf:
    baseline: Organisation
    alternative: Organisation
    year: int
    arrests: int
    seed: int
    seeds: int = 3


def request(
    alternative: Path, baseline: Path | None, year: int, arrests: int, seed: int, seeds: int
) -> WhatIf:
    """Read both organisation files (a bad one is a usage error naming file, line and key)."""
    if not 2000 <= year < clock.now().year:
        raise UsageError(f"--year must be a past year from 2000 (not {year})")
    if arrests < 1:
        raise UsageError("--arrests must be at least 1")
    if seeds < 1:
        raise UsageError("--seeds must be at least 1")
    base = load(baseline) if baseline is not None else organisation()
    return WhatIf(base, load(alternative), year, arrests, seed, seeds)


def simulate(
    what: WhatIf, workers: int = 1, progress: Callable[[int], None] | None = None
) -> dict[str, list[Tally]]:
    """Tallies of every run: ``{"baseline": [per seed], "alternative": [per seed]}``."""
    now = clock.now()
    runs: list[dict[str, Any]] = []
    for org in (what.baseline, what.alternative):
        validator = BulkValidator(engine_for(org), "demo", now, org, queues=False)
        for seed in range(what.seed, what.seed + what.seeds):
            people = plan(seed, what.arrests, profiles(org))
            runs.append({"validator": validator, "people": people, "seed": seed, "year": what.year})
    _JOB.update(runs=runs, horizon=horizon_of(now))
    tasks = [
        (r, a, min(a + CHUNK, len(run["people"])))
        for r, run in enumerate(runs)
        for a in range(0, len(run["people"]), CHUNK)
    ]
    tallies = [Tally() for _ in runs]
    try:
        with collector_paused():
            for run, tally in _map(tasks, workers):
                tallies[run].add(tally)
                if progress:
                    progress(1)
    finally:
        _JOB.clear()
    return {"baseline": tallies[: what.seeds], "alternative": tallies[what.seeds :]}


def tasks_of(what: WhatIf) -> int:
    """How many units of work a run has (for a progress bar), without planning it."""
    people = what.arrests / 1.25  # about 1.25 arrests a person (synthetic_plan)
    return 2 * what.seeds * max(1, math.ceil(people / CHUNK))


def _map(tasks: list[tuple[int, int, int]], workers: int) -> Iterator[tuple[int, Tally]]:
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap_unordered(_tally_people, tasks)
    else:
        yield from map(_tally_people, tasks)


# ---------------------------------------------------------------------------- results


def comparison(what: WhatIf, tallies: dict[str, list[Tally]]) -> Table:
    """Side by side: the mean of each measure over the seeds, the mean difference, its 95%
    interval over the seeds, and the smallest and largest difference of one seed."""
    base = [measures(t) for t in tallies["baseline"]]
    alt = [measures(t) for t in tallies["alternative"]]
    rows: list[list[Any]] = []
    for key, what_text, unit in MEASURES:
        found_b = [m[key] for m in base]
        found_a = [m[key] for m in alt]
        b = [v for v in found_b if v is not None]
        a = [v for v in found_a if v is not None]
        if len(a) < len(found_a) or len(b) < len(found_b):  # nothing to measure in some run
            rows.append([what_text, unit, None, None, None, None, None, None])
            continue
        diffs = [y - x for x, y in zip(b, a, strict=True)]
        rows.append(
            [
                what_text, unit, _show(statistics.fmean(b), unit), _show(statistics.fmean(a), unit),
                _show(statistics.fmean(diffs), unit), _show(_half_width(diffs), unit),
                _show(min(diffs), unit), _show(max(diffs), unit),
            ]
        )  # fmt: skip
    notes = [
        f"Baseline: {what.baseline.source} (sha256 {what.baseline.digest[:12]}); alternative: "
        f"{what.alternative.source} (sha256 {what.alternative.digest[:12]}).",
        f"SYNTHETIC: {what.arrests:,} arrests in {what.year}, seeds {what.seed}.."
        f"{what.seed + what.seeds - 1}; the same seed gives both runs the same people and draws.",
        "Rates: % (of offenders who left police custody, or of arrests); h: hours; n: counts.",
        "ci95: half the 95% interval of the mean difference over the seeds (Student's t)"
        + ("; with one seed there is none: use --seeds 3 or more." if what.seeds < 2 else "."),
        "The synthetic year generates no removal steps, so removals started is 0 in both runs.",
        "Modelled: each suite's model (hub and rota suites outside London are central) and IO "
        "shifts, and the forces and their suites.  Not modelled: CID, custody-database and DVA "
        "access change no chance in the synthetic year, so changing only those shows no "
        "difference.",
        "Model parameters (assumptions, docs/assumptions.md):",
        *(f"  {name} = {value}: {text}" for name, value, text in MODEL_PARAMETERS),
    ]
    return Table(
        "What-if: the same synthetic year under two organisation models",
        ["measure", "unit", "baseline", "alternative", "difference", "ci95", "min_diff",
         "max_diff"],
        rows,
        notes,
        {"report": "simulate", "year": what.year, "arrests": what.arrests, "seed": what.seed,
         "seeds": what.seeds},
    )  # fmt: skip


def _show(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return round(100 * value, 2) if unit == "%" else round(value, 2)


def _half_width(diffs: list[float]) -> float | None:
    """Student's t 95% half-width of the mean of ``diffs``; None for a single value."""
    n = len(diffs)
    if n < 2:
        return None
    t = _T95[n - 2] if n - 1 <= len(_T95) else statistics.NormalDist().inv_cdf(0.975)
    return t * statistics.stdev(diffs) / math.sqrt(n)
