"""One synthetic person's case: their arrests and what followed, as bulk steps in time order.

Every draw comes from a ``random.Random`` seeded with the seed and the person's index, so a seed
gives the same arrests, routes, results and times on any machine, whichever process builds the
person.  Salts for personal data are not derived from the seed: they must stay secret, so
digests (and hashes) differ between runs, not the content.
"""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import UTC, datetime, time, timedelta

from casetracker.domain.effective_time import DEFAULT_ZONE, EffectiveTime
from casetracker.domain.identity import SEEDED_USERS
from casetracker.domain.organisation import Shift
from casetracker.domain.rules.offences import label
from casetracker.services.bulk import BulkStep
from casetracker.services.synthetic_plan import REPEAT_CALL, Person

SLOT_DAYS, SLOTS = 4, 90  # arrests fall in distinct four-day slots of the year (360 days)
# The chance an immigration offender is seen by an IO before leaving police custody, in and out
# of IO hours (¶4.21); lower in London, where the problem is most acute (¶4.22), and high at
# the central suites of forces that hold offenders centrally (¶4.23).  The numbers are assumed
# (docs/assumptions.md): the report gives none.
SEEN_IN_HOURS, SEEN_OUT_OF_HOURS = 0.85, 0.55
SEEN_IN_HOURS_LONDON, SEEN_OUT_OF_HOURS_LONDON = 0.75, 0.40
SEEN_AT_CENTRAL_SUITE = 0.97
# Whether an IO is on shift is read from the organisation file's shifts of the arrest's suite,
# so a what-if organisation (``casetracker simulate``) changes it; an arrest at no configured
# suite is taken to have IO cover 07:00-22:00, the shipped file's shift (assumed, as it is).
GENERATION_SHIFT = Shift(datetime(2000, 1, 1, 7).time(), datetime(2000, 1, 1, 22).time())
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


class CaseSteps:
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
        basis = "verified" if rng.random() < 0.4 else "claimed"
        said = "verified_nationality" if basis == "verified" else "nationality"  # kept apart
        self.add(
            t, "police", "encounter", enc, "record_nationality", **{said: self.nationality},
            nationality_group=self.group, nationality_basis=basis,
        )  # fmt: skip
        route = self.route()
        result = self.result(immigration)
        if route:
            t = self.status_check(t, enc, route, result)
            if route == "ccu" and rng.random() < REPEAT_CALL:
                t = self.status_check(t, enc, route, result, repeat=True)
        offender = route is not None and result in OFFENDER_RESULTS
        self.outcome(t, enc, offender, category, limit, suite)

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

    def seen_chance(self, suite: str, release: datetime) -> float:
        """The chance an IO sees an offender held at ``suite`` before ``release`` (¶4.21-4.23)."""
        force = self.person.force
        shifts = dict(zip(force.suites, force.suite_shifts, strict=False)).get(
            suite, (GENERATION_SHIFT,)
        )
        local = _local(release)
        in_hours = any(shift.covers(local) for shift in shifts)
        if force.in_london:
            return SEEN_IN_HOURS_LONDON if in_hours else SEEN_OUT_OF_HOURS_LONDON
        if suite in force.central_suites:
            return SEEN_AT_CENTRAL_SUITE
        return SEEN_IN_HOURS if in_hours else SEEN_OUT_OF_HOURS

    def outcome(
        self, t: datetime, enc: int, offender: bool, category: str, limit: datetime, suite: str
    ) -> None:
        rng = self.rng
        release = max(t + timedelta(minutes=10), t + _secs(3600 * rng.uniform(2, 18)))
        if not offender:
            self.ordinary_outcome(release, enc, category, limit)
            return
        seen_chance = self.seen_chance(suite, release)
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


def _local(moment: datetime) -> time:
    return moment.astimezone(DEFAULT_ZONE).time()


def horizon_of(now: datetime) -> datetime:
    """The latest moment a step may take: a minute before ``now``, in whole seconds."""
    return now.replace(microsecond=0) - timedelta(minutes=1)
