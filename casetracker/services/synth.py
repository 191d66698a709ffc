"""Synthetic arrests of foreign nationals for one year, shaped like the report's figures.

Nothing here describes a real person: names, dates of birth, nationalities ("Synthland") and
identifiers are made up, and the README says so.  The shape comes from the report:

* 185,000-193,000 arrests of foreign nationals a year, about a third by the MPS (¶3.1);
* more than half referred to CCU overall, under 30% outside London (¶4.8), counted as CCU
  status checks (calls, repeat calls included) per arrest, the measure ¶4.8 compares;
* WMP just over a third (¶4.10); WYP under 15%, with 2,920 people referred directly to local
  immigration staff and 881 calls to CCU in 2015 (¶4.11, fn 13);
* repeat arrests of one person and repeat calls about one arrest (fn 13's two counting units);
* immigration offenders released before an IO saw them, more often out of IO hours (¶4.21-4.23).

The force profiles below are derived from those figures (``profiles``); every draw comes from a
``random.Random`` seeded with the seed and the person's index, so a seed gives the same people,
arrests, routes, results and times on any machine.  Salts for personal data are not derived from
the seed: they must stay secret, so digests (and hashes) differ between runs, not the content.
"""

from __future__ import annotations

import bisect
import itertools
import math
import multiprocessing
import queue
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.pool import AsyncResult, Pool

from casetracker.adapters.database import write_transaction
from casetracker.adapters.store import EventStore
from casetracker.domain import clock
from casetracker.domain.effective_time import DEFAULT_ZONE, EffectiveTime
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.identity import SEEDED_USERS
from casetracker.domain.organisation import Organisation, Shift
from casetracker.domain.rules.offences import label
from casetracker.integrity.dbapi import collector_paused
from casetracker.services.bulk import (
    BulkResult,
    BulkStep,
    BulkValidator,
    PreparedCase,
    pack,
    unpack,
    write,
)

REPORT_ARRESTS = 190_000  # ¶3.1: between 185,000 and 193,000 a year
MPS_SHARE = 1 / 3  # ¶3.1: "approximately a third"
LONDON_CCU_RATE = 0.97  # ¶4.7, ¶4.9: London refers every arrest to CCU; a few are missed
OUTSIDE_LONDON_CCU_RATE = 0.28  # ¶4.8: "less than 30%" once MPS is excluded
WMP_CCU_RATE = 0.36  # ¶4.10: "just over a third"
WMP_SHARE = 0.05  # not in the report: the West Midlands' share of arrests, assumed
WYP_CCU_RATE = 0.13  # ¶4.11: "less than 15%"
WYP_CCU_CALLS = 881  # ¶4.11 (calls, fn 13)
WYP_DIRECT_PEOPLE = 2_920  # ¶4.11 (people, fn 13)
COL_SHARE = 0.004  # City of London Police: small, and in London
REPEAT_CALL = 0.08  # share of CCU referrals followed by a second call about the same arrest
ARRESTS_PER_PERSON = {1: 0.82, 2: 0.12, 3: 0.04, 4: 0.015, 5: 0.005}  # repeat arrests
OTHER_LOCAL_IO, OTHER_LOCAL_ICE = 0.20, 0.08  # other forces' local referrals per arrest
WMP_LOCAL_IO, WMP_LOCAL_ICE = 0.45, 0.02  # ¶4.10: cases passed directly to embedded IOs
WYP_LOCAL_ICE_SHARE = 0.15  # ¶4.11: of WYP's local referrals, those to the enforcement office
SLOT_DAYS, SLOTS = 4, 90  # arrests fall in distinct four-day slots of the year (360 days)
SEEN_IN_HOURS, SEEN_OUT_OF_HOURS = 0.85, 0.55  # ¶4.21: release before an IO sees them
GENERATION_SHIFT = Shift(datetime(2000, 1, 1, 7).time(), datetime(2000, 1, 1, 22).time())
# A few larger forces carry more arrests; the rest share equally.  Not from the report.
_RELATIVE_SIZE = {"GMP": 3.0, "TVP": 2.0, "KEN": 1.5, "ESX": 1.5, "HAM": 1.5, "MER": 1.3}
OFFENCES = {
    "theft": 0.24, "other_violence": 0.15, "drugs_possession": 0.11, "public_order": 0.08,
    "fraud_or_forgery": 0.07, "burglary": 0.05, "drugs_supply": 0.04, "robbery": 0.03,
    "fare_evasion": 0.03, "gbh": 0.02, "sexual_offence": 0.02, "knife": 0.02,
    "other_weapon": 0.01, "firearm": 0.003, "human_trafficking": 0.002,
    "murder_or_manslaughter": 0.0005, "other": 0.0745,
}  # fmt: skip
OFFENDER_RESULTS = ("record_immigration_offender", "record_known_absconder")
RESULTS = {
    "record_immigration_offender": 0.18,
    "record_lawful_status": 0.57,
    "record_no_trace": 0.25,
}


@dataclass(frozen=True)
class ForceProfile:
    """How one force's arrests are referred: per arrest, by first route."""

    code: str
    in_london: bool
    share: float  # of all arrests
    ccu_calls: float  # CCU calls per arrest, repeat calls included (the ¶4.8 measure)
    local_io: float  # probability an arrest is referred to an embedded or rota IO
    local_ice: float  # ... to the local ICE (enforcement) office
    suites: tuple[str, ...]

    @property
    def first_ccu(self) -> float:
        return self.ccu_calls / (1 + REPEAT_CALL)


class _Draw:
    """A weighted choice by one uniform draw (``random.choices`` rebuilds its table each call)."""

    def __init__(self, weights: dict) -> None:
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


_OFFENCE = _Draw(OFFENCES)
_RESULT = _Draw(RESULTS)
_SECOND = timedelta(seconds=1)


def _secs(seconds: float) -> timedelta:
    """Whole seconds: effective instants carry no fractions (``effective_time.instant``)."""
    return timedelta(seconds=round(seconds))


def _at(moment: datetime) -> EffectiveTime:
    """The effective instant of a whole-second UTC moment, as ``effective_time.instant`` has it."""
    return EffectiveTime(moment.isoformat()[:-6] + "Z", moment, moment + _SECOND)


def _mean_arrests() -> float:
    return sum(k * p for k, p in ARRESTS_PER_PERSON.items())


def _wyp_local_rate(share: float) -> float:
    """The per-arrest local referral rate that makes WYP's *people* referred directly 2,920.

    People with k arrests are referred directly at least once with probability 1-(1-q)^k;
    solved for q by bisection, so fn 13's people count comes out, not just the arrest count.
    """
    persons = share * REPORT_ARRESTS / _mean_arrests()
    wanted = WYP_DIRECT_PEOPLE / persons
    low, high = 0.0, 1.0
    for _ in range(60):
        q = (low + high) / 2
        got = sum(p * (1 - (1 - q) ** k) for k, p in ARRESTS_PER_PERSON.items())
        low, high = (q, high) if got < wanted else (low, q)
    return (low + high) / 2


def profiles(org: Organisation) -> list[ForceProfile]:
    """Every configured force's profile, derived from the report's figures above."""
    wyp_share = WYP_CCU_CALLS / (WYP_CCU_RATE * REPORT_ARRESTS)
    london = [f for f in org.forces if f.in_london]
    others = [f for f in org.forces if not f.in_london and f.code not in ("WMP", "WYP")]
    outside_share = 1 - MPS_SHARE - COL_SHARE * (len(london) - 1)
    others_share = outside_share - WMP_SHARE - wyp_share
    others_rate = (
        OUTSIDE_LONDON_CCU_RATE * outside_share
        - WMP_SHARE * WMP_CCU_RATE
        - wyp_share * WYP_CCU_RATE
    ) / others_share
    sizes = {f.code: _RELATIVE_SIZE.get(f.code, 1.0) for f in others}
    total_size = sum(sizes.values())
    wyp_local = _wyp_local_rate(wyp_share)
    out = []
    for force in org.forces:
        suites = tuple(s.name for s in force.suites)
        if force.in_london:
            share = MPS_SHARE if force.code == "MPS" else COL_SHARE
            out.append(ForceProfile(force.code, True, share, LONDON_CCU_RATE, 0, 0, suites))
        elif force.code == "WMP":
            out.append(
                ForceProfile(
                    "WMP", False, WMP_SHARE, WMP_CCU_RATE, WMP_LOCAL_IO, WMP_LOCAL_ICE, suites
                )
            )
        elif force.code == "WYP":
            io = wyp_local * (1 - WYP_LOCAL_ICE_SHARE)
            ice = wyp_local * WYP_LOCAL_ICE_SHARE
            out.append(ForceProfile("WYP", False, wyp_share, WYP_CCU_RATE, io, ice, suites))
        else:
            share = others_share * sizes[force.code] / total_size
            out.append(
                ForceProfile(
                    force.code, False, share, others_rate, OTHER_LOCAL_IO, OTHER_LOCAL_ICE, suites
                )
            )
    return out


@dataclass(frozen=True)
class Person:
    index: int
    force: ForceProfile
    arrests: int


def plan(seed: int, arrests: int, profiles_: list[ForceProfile]) -> list[Person]:
    """Who is arrested, by which force, how often: exactly ``arrests`` arrests in all."""
    rng = random.Random(f"casetracker-synth:{seed}:plan")
    weights = [p.share for p in profiles_]
    counts, count_weights = list(ARRESTS_PER_PERSON), list(ARRESTS_PER_PERSON.values())
    people: list[Person] = []
    left = arrests
    while left > 0:
        force = rng.choices(profiles_, weights)[0]
        k = min(left, rng.choices(counts, count_weights)[0])
        people.append(Person(len(people), force, k))
        left -= k
    return people


class _Case:
    """Builds one person's steps in time order, tracking the lifecycle states it needs."""

    def __init__(self, person: Person, seed: int, year: int, horizon: datetime) -> None:
        self.person = person
        self.rng = random.Random(f"casetracker-synth:{seed}:{person.index}")
        self.year = year
        self.horizon = horizon
        self.steps: list[BulkStep] = []
        self.encounters = 0
        self.checks = 0
        self.reporting = "no_directions"
        self.etd = "unassessed"
        self.nationality = f"Synthland {self.rng.randint(1, 40)} (synthetic)"
        self.group = "eea" if self.rng.random() < 0.35 else "non_eea"
        self.key = idempotency_prefix(seed, year, person.index)

    def add(
        self, when: datetime, role: str, workflow: str, instance: int | None, action: str, **fields
    ) -> None:
        key = f"{self.key}-{len(self.steps) + 1}"
        self.steps.append(
            BulkStep(
                workflow, instance, action, fields, _at(when), SEEDED_USERS[role][0], role, key
            )
        )

    def arrest_times(self) -> list[datetime]:
        """Uniform over the year at any hour, at least three days apart, so each arrest's
        custody, detention and reporting steps end before the next arrest begins."""
        start = datetime(self.year, 1, 1, tzinfo=DEFAULT_ZONE).astimezone(UTC)
        slots = sorted(self.rng.sample(range(SLOTS), self.person.arrests))
        return [
            start + _secs(slot * SLOT_DAYS * 86400 + self.rng.uniform(0, 86400)) for slot in slots
        ]

    def build(self) -> list[BulkStep]:
        rng, index = self.rng, self.person.index
        times = self.arrest_times()
        born = datetime(1960, 1, 1) + timedelta(days=rng.randint(0, 365 * 40))
        self.add(
            times[0], "police", "case", 0, "open_case",
            name=f"Person {index:07d} (synthetic)", date_of_birth=born.date().isoformat(),
            nationality=self.nationality, identifiers=[f"SYN-{index:07d}"],
            force=self.person.force.code,
        )  # fmt: skip
        for j, when in enumerate(times):
            limit = times[j + 1] - timedelta(hours=1) if j + 1 < len(times) else self.horizon
            self.arrest(when, min(limit, self.horizon))
        return self.steps

    def arrest(self, when: datetime, limit: datetime) -> None:
        rng, force = self.rng, self.person.force
        self.encounters += 1
        enc = self.encounters
        category = _OFFENCE(rng)
        suite = rng.choice(force.suites) if force.suites and rng.random() < 0.7 else ""
        where = {"force": force.code, **({"custody_suite": suite} if suite else {})}
        immigration = rng.random() < 0.03
        if immigration:
            self.add(when, "police", "encounter", None, "arrest_for_immigration_offence", **where)
        else:
            self.add(
                when, "police", "encounter", None, "arrest",
                offence=label(category), offence_category=category, **where,
            )  # fmt: skip
        t = when + timedelta(minutes=5)
        self.add(
            t, "police", "encounter", enc, "record_nationality", nationality=self.nationality,
            nationality_group=self.group,
            nationality_basis="verified" if rng.random() < 0.4 else "claimed",
        )  # fmt: skip
        route = self.route()
        result = self.result(immigration)
        if route:
            t = self.status_check(t, enc, route, result)
            if route == "ccu" and rng.random() < REPEAT_CALL:
                t = self.status_check(t, enc, route, result, repeat=True)
        offender = route is not None and result in OFFENDER_RESULTS
        self.outcome(t, enc, offender, category, limit)

    def route(self) -> str | None:
        force, draw = self.person.force, self.rng.random()
        if draw < force.first_ccu:
            return "ccu"
        draw -= force.first_ccu
        if draw < force.local_io:
            return "local_io"
        draw -= force.local_io
        return "local_ice_office" if draw < force.local_ice else None

    def result(self, immigration: bool) -> str:
        if self.reporting in ("listed_absconder", "reencountered"):
            return "record_known_absconder"
        if immigration:
            return "record_immigration_offender"
        return _RESULT(self.rng)

    def status_check(
        self, t: datetime, enc: int, route: str, result: str, repeat: bool = False
    ) -> datetime:
        rng = self.rng
        self.checks += 1
        check = self.checks
        runner = "ccu" if route == "ccu" else "immigration_officer"
        t += timedelta(minutes=rng.randint(10, 90))
        self.add(t, "police", "status_check", None, f"refer_to_{route}", encounter=enc)
        t += _secs(60 * max(5.0, rng.expovariate(1 / 45)))
        self.add(t, runner, "status_check", check, "check_cid")
        t += timedelta(minutes=1)
        fields = {}
        if result == "record_immigration_offender":
            fields["offender_kind"] = rng.choice(("overstayer", "illegal_entrant"))
        self.add(t, runner, "status_check", check, result, **fields)
        if result == "record_known_absconder" and self.reporting == "listed_absconder":
            self.add(t, runner, "reporting", 0, "reencounter")
            self.reporting = "reencountered"
        if repeat or result not in OFFENDER_RESULTS:
            return t
        t += timedelta(minutes=2)
        if route != "ccu":
            self.add(t, "immigration_officer", "status_check", check, "take_up_locally")
        elif self.person.force.in_london:
            self.add(t, "ccu", "status_check", check, "refer_to_joc")
            if rng.random() < 0.8:
                t += timedelta(minutes=rng.randint(5, 120))
                self.add(t, "joc", "status_check", check, "pass_to_io")
        else:
            self.add(t, "ccu", "status_check", check, "refer_to_ice_team")
        return t

    def outcome(
        self, t: datetime, enc: int, offender: bool, category: str, limit: datetime
    ) -> None:
        rng = self.rng
        release = max(t + timedelta(minutes=10), t + _secs(3600 * rng.uniform(2, 18)))
        if not offender:
            self.ordinary_outcome(release, enc, category, limit)
            return
        seen_chance = (
            SEEN_IN_HOURS if GENERATION_SHIFT.covers(_local(release)) else SEEN_OUT_OF_HOURS
        )
        if rng.random() >= seen_chance:
            action = rng.choices(
                ("release_without_charge", "take_no_further_action", "bail"), (0.6, 0.25, 0.15)
            )[0]
            self.add(release, "police", "encounter", enc, action)
            return
        seen = t + _secs((release - t).total_seconds() * rng.uniform(0.1, 0.9))
        self.add(seen, "immigration_officer", "encounter", enc, "record_seen_by_io")
        if rng.random() < 0.6:
            self.add(release, "police", "encounter", enc, "release_without_charge")
            return
        self.add(release, "police", "encounter", enc, "hand_to_immigration")
        self.add(release, "immigration_officer", "detention", 0, "detain_under_immigration_powers")
        end = release + _secs(86400 * (1 + rng.expovariate(1 / 28)))
        end = min(end, limit - timedelta(hours=1))
        if rng.random() < 0.5:
            self.travel_document(release, end)
        if end <= release:
            return
        self.add(end, "immigration_officer", "detention", 0, "release_on_reporting_restrictions")
        self.add(end, "immigration_officer", "reporting", 0, "issue_reporting_directions")
        self.reporting = "directions_issued"
        if rng.random() < 0.35:
            missed = end + _secs(86400 * rng.uniform(14, 60))
            listed = missed + timedelta(days=14)
            if listed < limit:
                self.add(missed, "immigration_officer", "reporting", 0, "record_missed_reporting")
                self.add(listed, "immigration_officer", "reporting", 0, "list_as_absconder")
                self.reporting = "listed_absconder"

    def travel_document(self, start: datetime, end: datetime) -> None:
        """ETD needed, applied for, decided: while detained, when the dates fit (Figure 2)."""
        rng = self.rng
        if self.etd not in ("unassessed", "issued"):
            return
        needed, applied = start + timedelta(days=1), start + timedelta(days=3)
        decided = applied + _secs(86400 * rng.uniform(5, 40))
        if applied >= end:
            return
        self.add(needed, "immigration_officer", "etd", 0, "record_etd_needed")
        self.add(
            applied, "immigration_officer", "etd", 0, "apply_for_etd",
            high_commission=f"High Commission of {self.nationality}",
        )  # fmt: skip
        self.etd = "applied"
        if decided < end:
            issued = rng.random() < 0.8
            action = "record_etd_issued" if issued else "record_etd_refused"
            self.add(decided, "immigration_officer", "etd", 0, action)
            self.etd = "issued" if issued else "refused"

    def ordinary_outcome(self, release: datetime, enc: int, category: str, limit: datetime) -> None:
        rng = self.rng
        action = rng.choices(
            ("release_without_charge", "take_no_further_action", "bail", "charge"),
            (0.55, 0.2, 0.05, 0.2),
        )[0]
        self.add(release, "police", "encounter", enc, action)
        if action != "charge":
            return
        self.add(release, "police", "encounter", enc, "bail_to_court")
        convicted = release + _secs(86400 * rng.uniform(30, 150))
        if convicted < limit and rng.random() < 0.7:
            self.add(
                convicted, "police", "encounter", enc, "convict", conviction_category=category,
                sentence="custodial" if rng.random() < 0.3 else "non_custodial",
            )  # fmt: skip


def idempotency_prefix(seed: int, year: int, index: int) -> str:
    """Keys are deterministic, so the same seed cannot be generated twice into one database."""
    return f"synth-{year}-{seed}-{index}"


def _local(moment: datetime):
    return moment.astimezone(DEFAULT_ZONE).time()


def cases(
    seed: int, year: int, arrests: int, org: Organisation, now: datetime
) -> tuple[int, Iterator[list[BulkStep]]]:
    """``(people, steps per person)``: the plan is drawn first, each person's steps lazily."""
    people = plan(seed, arrests, profiles(org))
    horizon = now.replace(microsecond=0) - timedelta(minutes=1)

    def each() -> Iterator[list[BulkStep]]:
        for person in people:
            yield _Case(person, seed, year, horizon).build()

    return len(people), each()


def expected_events(arrests: int) -> int:
    """A rough total for the progress bar (about seven events per arrest)."""
    return math.ceil(arrests * 7.2)


# ---------------------------------------------------------------------------- running

CHUNK = 200  # people per unit of work handed to a worker process


_JOB: dict = {}


def _prepare_chunk(bounds: tuple[int, int]) -> bytes:
    """In a worker: generate and validate people ``[a, b)``; returns them ``bulk.pack``ed."""
    job = _JOB
    validator = job["validator"]
    return pack(
        [
            validator.prepare(_Case(p, job["seed"], job["year"], job["horizon"]).build())
            for p in job["people"][bounds[0] : bounds[1]]
        ]
    )


def run(
    store: EventStore,
    flow: WorkflowEngine,
    *,
    seed: int,
    year: int,
    arrests: int,
    org: Organisation,
    workers: int = 1,
    batch_events: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, BulkResult]:
    """Generate, validate and write a year of arrests; returns ``(people, result)``.

    Workers (forked processes) generate and validate people while this process writes, one
    write transaction per ~``batch_events`` events.  Case ids follow the people's order, so
    the outcome does not depend on the number of workers.
    """
    now = clock.now()
    people = plan(seed, arrests, profiles(org))
    _JOB.update(
        people=people,
        seed=seed,
        year=year,
        horizon=now.replace(microsecond=0) - timedelta(minutes=1),
        validator=BulkValidator(flow, store.realm, now),
    )
    chunks = [(a, min(a + CHUNK, len(people))) for a in range(0, len(people), CHUNK)]
    result = BulkResult()
    with collector_paused():
        pool = None
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            pool = multiprocessing.get_context("fork").Pool(workers)
            per_chunk = CHUNK * expected_events(arrests) / len(people)
            ahead = workers + 2 * math.ceil(batch_events / per_chunk)
            packed = _in_order(pool, chunks, ahead)
        else:
            packed = map(_prepare_chunk, chunks)
        try:
            _write(store, packed, batch_events, result, progress)
        finally:
            if pool is not None:
                pool.terminate()
            _JOB.clear()
    return len(people), result


def _in_order(pool: Pool, chunks: list[tuple[int, int]], ahead: int) -> Iterator[bytes]:
    """Prepared chunks in order, with at most ``ahead`` handed out and not yet taken back
    (``run`` allows two write batches' worth, so workers keep busy while a batch is written).

    ``Pool.imap`` hands out every chunk at once, so workers faster than the writer pile their
    results up in this process (a year is ~250 MB packed) and then finish early, leaving the
    writer alone on one core; bounded, they wait for it instead.
    """
    waiting: deque[AsyncResult] = deque()
    queue = iter(chunks)
    for bounds in itertools.islice(queue, ahead):
        waiting.append(pool.apply_async(_prepare_chunk, (bounds,)))
    while waiting:
        done = waiting.popleft().get()
        following = next(queue, None)
        if following is not None:
            waiting.append(pool.apply_async(_prepare_chunk, (following,)))
        yield done


def _write(
    store: EventStore,
    packed: Iterable[bytes],
    batch_events: int,
    result: BulkResult,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Write packed chunks in order, one write transaction per ~``batch_events`` events.

    The transactions run on a thread of their own: SQLite's work and the commit's fsync
    release the GIL, so this thread unpacks the next batch meanwhile.  A failure stops the
    run; batches already committed stay (synthetic data).
    """
    batches: queue.Queue[list[PreparedCase] | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def writer() -> None:
        while (batch := batches.get()) is not None:
            if not failed:
                try:
                    _write_batch(store, batch, result, progress)
                except BaseException as exc:
                    failed.append(exc)

    thread = threading.Thread(target=writer, name="synth-writer", daemon=True)
    thread.start()
    try:
        pending: list[PreparedCase] = []
        size = 0
        for chunk in packed:
            if failed:
                break
            prepared = unpack(chunk)
            pending.extend(prepared)
            size += sum(len(p.events) for p in prepared)
            if size >= batch_events:
                batches.put(pending)
                pending, size = [], 0
        if pending and not failed:
            batches.put(pending)
    finally:
        batches.put(None)
        thread.join()
    if failed:
        raise failed[0]


def _write_batch(
    store: EventStore,
    batch: list[PreparedCase],
    result: BulkResult,
    progress: Callable[[int, int], None] | None,
) -> None:
    with write_transaction(store.engine) as conn:
        ids = write(conn, store, batch)
    events = sum(len(p.events) for p in batch)
    result.first_case = result.first_case or ids[0]
    result.last_case = ids[-1]
    result.cases += len(ids)
    result.events += events
    if progress:
        progress(len(ids), events)
