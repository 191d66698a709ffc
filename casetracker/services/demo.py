"""The demo database: the report's two case studies and a few hundred generated cases.

A new user should find every queue populated the first time they open it: people arrested in
the last few hours and waiting for a status check, immigration offenders whose PACE clock is
running down (¶4.21), ETDs outstanding, absconders, removal directions due, undecided claims,
spread over several forces.  Every case is recorded through the real service (``act``) by the
seeded user of the role that would do it, so the guards check the generated data exactly as
they check a caseworker's, and the read models and the access log are as in real use.

Each force refers its arrests as the report found (``referral_plan``): about a third of the
arrests are the MPS's, nearly all referred to CCU; outside London under 30% go to CCU, the West
Midlands just over a third, West Yorkshire under 15% with most sent to local immigration staff
instead (¶3.1, ¶4.8-4.11).  The rates are ``casetracker.services.synthetic_plan``'s force profiles,
so the demo and the generated management-information year agree; and the arrests are dealt out by
quota, not drawn one by one, so a few hundred cases follow the mix rather than approximate it by
chance.

Generation is deterministic for a given seed and clock: tests freeze the clock and get the
same database every time.  All names are synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from casetracker.domain import clock
from casetracker.domain.effective_time import instant, out_of_sequence, parse_canonical
from casetracker.domain.errors import CasetrackerError, UsageError
from casetracker.domain.identity import SEEDED_FORCE, SEEDED_POLICE, SEEDED_USERS
from casetracker.services.cases import Casetracker
from casetracker.services.registry import organisation
from casetracker.services.setup import create_database, open_database
from casetracker.services.synthetic_plan import ForceProfile, profiles
from casetracker.services.training.case_studies import FIGURE_1, FIGURE_2
from casetracker.services.training.sandbox import StoryClock, story_clock

# Forces the generated arrests come from, weighted roughly as the report's arrests are
# (about a third by MPS, ¶3.1), with the three inspected forces well represented.  Each must
# have a profile in ``casetracker.services.synthetic_plan.profiles`` and a seeded police officer
# (``SEEDED_POLICE``), who records its arrests.
FORCES = (("MPS", 33), ("WMP", 14), ("WYP", 12), ("GMP", 12), ("KEN", 8), ("TVP", 8), ("ESX", 7))
SUITES = {"MPS": ("Croydon", "Freshwharf"), "WMP": ("Perry Barr",), "WYP": ("Normanton",)}
OFFENCES = (
    ("shoplifting", "theft"),
    ("common assault", "other_violence"),
    ("possession of cannabis", "drugs_possession"),
    ("fare evasion", "fare_evasion"),
    ("possession of a false instrument", "fraud_or_forgery"),
    ("burglary of a dwelling", "burglary"),
    ("possession of a bladed article", "knife"),
    ("grievous bodily harm", "gbh"),
)
_FIRST = ("Alex", "Sam", "Jordan", "Robin", "Casey", "Morgan", "Taylor", "Jamie", "Avery", "Rowan")
_LAST = ("Example", "Sample", "Testcase", "Placeholder", "Fictional", "Madeup", "Synthetic")
IO = "immigration_officer"


@dataclass(frozen=True)
class DemoSummary:
    url: str
    created: bool
    cases: int


class _Recorder:
    """Acts on one case as whichever seeded user holds the step's role (for the police, the
    officer of the force the case was opened for: an officer acts only on their force's cases)."""

    def __init__(self, services: dict[str, Casetracker], police: dict[str, Casetracker]) -> None:
        self.services = services
        self.police = police
        self.case_id = ""
        self.force = SEEDED_FORCE
        self.steps = 0  # numbers each command's idempotency key: a rerun records nothing twice
        # A generated case's clock: each step is recorded when it happened, as a scenario's
        # are, so the timeline flags none of them as backdated.  None while a case study is
        # replayed (``replay_steps`` keeps its own story clock).
        self.story: StoryClock | None = None

    def _stamp(self, when: str) -> None:
        if self.story is not None:
            self.story.stamp(parse_canonical(when).known_from, None, False)

    def service(self, role: str) -> Casetracker:
        return self.police[self.force] if role == "police" else self.services[role]

    def open(self, when: str, force: str, name: str) -> None:
        self.steps += 1
        self.force = force
        self._stamp(when)
        result = self.service("police").open_case(
            {"name": name, "nationality": "Synthland (synthetic)", "force": force},
            when,
            idempotency_key=f"demo:{self.steps}",
        )
        self.case_id = result.case_id

    def __call__(
        self, role: str, action: str, when: str, instance: int | None = None, **fields: Any
    ) -> None:
        self.steps += 1
        self._stamp(when)
        self.service(role).act(
            self.case_id,
            action,
            fields,
            when,
            instance=instance,
            idempotency_key=f"demo:{self.steps}",
        )


def replay_steps(record: _Recorder, steps: list[dict[str, Any]], story: StoryClock) -> None:
    """Record a case study's steps (``tests``/scenario format) on the recorder's case, each at
    the moment it happened by the story's clock, so the timeline flags only what the report
    itself lists out of order (as the training scenarios do)."""
    times = [parse_canonical(step["effective"]) for step in steps]
    late = out_of_sequence(times)
    for index, step in enumerate(steps):
        ranged = times[index].precision == "range"  # recorded once its last part has begun
        story.stamp(times[index].known_from, None, index in late or ranged)
        number = step["instance"]
        record(
            step["role"],
            step["action"],
            step["effective"],
            None if number in ("new", 0) else int(number),
            **step["fields"],
        )


def build_demo(
    url: str,
    cases: int = 300,
    seed: int = 2016,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Create the demo database at ``url`` unless it exists, and fill it; idempotent."""
    if not create_database(url, "demo").created:
        return DemoSummary(url, False, 0)
    with ExitStack() as stack:
        services = {
            role: Casetracker(url, as_user=user) for role, (user, _) in SEEDED_USERS.items()
        }
        police = {
            force: Casetracker(url, as_user=user) for force, (user, _) in SEEDED_POLICE.items()
        }
        for service in [*services.values(), *police.values()]:
            stack.callback(service.close)
        record = _Recorder(services, police)
        for name, steps in (
            ("Figure One (synthetic)", FIGURE_1),
            ("Figure Two (synthetic)", FIGURE_2),
        ):
            with story_clock() as story:
                opened = parse_canonical(steps[0]["effective"])
                story.stamp(opened.start, None, False)
                record.open(opened.text.split("/")[0], "MPS" if steps is FIGURE_1 else "WMP", name)
                replay_steps(record, steps, story)
        rng = random.Random(seed)
        now = clock.now()
        for n, (force, route) in enumerate(referral_plan(cases, rng)):
            with story_clock() as record.story:
                _generated_case(record, rng, now, force, route)
            record.story = None
            if progress is not None:
                progress(n + 1, cases)
    return DemoSummary(url, True, cases + 2)


def discard_demo(path: Path) -> bool:
    """Delete the demo database at ``path`` so that ``build_demo`` makes it afresh; False if
    there was none.  Only a casetracker database marked demo is deleted: a live or training
    one, or a file that is not a casetracker database, is refused and left as it is."""
    if not path.exists():
        return False
    try:
        engine, info = open_database(f"sqlite:///{path}")
    except CasetrackerError as exc:
        raise UsageError(f"--fresh: {path} is not a demo database ({exc}); left as it is") from None
    engine.dispose()
    if info.realm != "demo":
        raise UsageError(
            f"--fresh: {path} is a {info.realm} database, not a demo one; left as it is"
        )
    for name in (path, *(path.with_name(path.name + tail) for tail in ("-wal", "-shm"))):
        name.unlink(missing_ok=True)
    return True


def _at(moment: datetime) -> str:
    return instant(moment).text


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up to it (the
    largest remainders get the odd ones; ties go to the first named)."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: counts[key] - exact[key])
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def route_rates(profile: ForceProfile) -> dict[str, float]:
    """How a force's arrests are referred, per arrest: to CCU, to a local IO, to the local ICE
    office, or not at all.  The demo makes no repeat calls, so its CCU share is the whole of
    the force's CCU calls per arrest (the measure of ¶4.8)."""
    ccu = min(profile.ccu_calls, 1.0)
    local = profile.local_io + profile.local_ice
    return {
        "ccu": ccu,
        "local_io": profile.local_io,
        "local_ice_office": profile.local_ice,
        "none": max(0.0, 1.0 - ccu - local),
    }


def referral_plan(cases: int, rng: random.Random) -> list[tuple[str, str]]:
    """(force, route) for each generated arrest, in a shuffled order: the forces in ``FORCES``
    proportions and each force's routes in its profile's, both by quota."""
    known = {p.code: p for p in profiles(organisation())}
    plan: list[tuple[str, str]] = []
    for force, count in apportion(cases, dict(FORCES)).items():
        for route, n in apportion(count, route_rates(known[force])).items():
            plan += [(force, route)] * n
    rng.shuffle(plan)
    return plan


# Shapes of a referred case and how often each occurs: most end quickly; the rest fill the
# queues.  An arrest that is not referred is released.
_SHAPES = (
    ("awaiting_check", 14),
    ("checked_awaiting_result", 6),
    ("offender_in_custody", 18),
    ("lawful_released", 12),
    ("detained_etd", 10),
    ("absconder", 8),
    ("removal_due", 8),
    ("pending_claim", 8),
)


# Shapes still in police custody, and the fewest hours since arrest their steps need.
_IN_CUSTODY = {"awaiting_check": 1.5, "checked_awaiting_result": 2.0, "offender_in_custody": 3.0}


def _generated_case(
    record: _Recorder, rng: random.Random, now: datetime, force: str, route: str
) -> None:
    shapes, weights = zip(*_SHAPES, strict=True)
    shape = rng.choices(shapes, weights)[0] if route != "none" else "not_referred"
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.randint(100, 999)}"
    # Arrests still in custody happened within the PACE day, early enough for every step
    # recorded since (up to three hours of them) to be in the past; the others weeks or
    # months ago.
    earliest = _IN_CUSTODY.get(shape)
    hours_ago = rng.uniform(earliest, 23.0) if earliest else rng.uniform(24 * 40, 24 * 200)
    arrested = now - timedelta(hours=hours_ago)
    record.open(_at(arrested - timedelta(minutes=5)), force, name)
    offence, category = rng.choice(OFFENCES)
    suites = SUITES.get(force)
    where: dict[str, Any] = {"custody_suite": rng.choice(suites)} if suites else {}
    t = arrested
    record(
        "police", "arrest", _at(t), offence=offence, offence_category=category, force=force, **where
    )
    record("police", "enter_police_custody", _at(t))
    t += timedelta(minutes=rng.randint(10, 50))
    # Everyone arrested here is a foreign national, and the referrals report counts an arrest
    # as one only with EEA or non-EEA recorded (¶3.1): an "unknown" left an arrest out of the
    # report but not out of the plan, so a force's CCU rate read higher than its quota.  One
    # draw of four, as before, so the rest of the generated data is unchanged.
    group = rng.choice(("non_eea", "non_eea", "eea", "non_eea"))
    record(
        "police",
        "record_nationality",
        _at(t),
        1,
        nationality="Synthland (synthetic)",
        nationality_group=group,
        nationality_basis="claimed",
    )
    if shape == "not_referred":
        _release(record, t + timedelta(hours=rng.randint(2, 9)))
        return
    t += timedelta(minutes=rng.randint(5, 40))
    record("police", f"refer_to_{route}", _at(t), encounter=1)
    if shape == "awaiting_check":
        return
    runner = "ccu" if route == "ccu" else IO  # a local referral is checked by the IO (¶4.27)
    t += timedelta(minutes=rng.randint(5, 30))
    record(runner, "check_cid", _at(t), 1, fingerprint_match=rng.choice(("matched", "not_taken")))
    if shape == "checked_awaiting_result":
        return
    if shape == "lawful_released":
        record(runner, "record_lawful_status", _at(t), 1)
        _release(record, t + timedelta(hours=2))
        return
    record(runner, "record_immigration_offender", _at(t), 1, offender_kind="overstayer")
    if route != "ccu":
        record(IO, "take_up_locally", _at(t), 1)
    elif force == "MPS":
        record("ccu", "refer_to_joc", _at(t), 1)
        if rng.random() < 0.7:
            record("joc", "pass_to_io", _at(t + timedelta(minutes=20)), 1)
    else:
        record("ccu", "refer_to_ice_team", _at(t), 1)
    if shape == "offender_in_custody":
        if rng.random() < 0.3:
            record(IO, "record_seen_by_io", _at(t + timedelta(minutes=30)), 1)
        return
    _after_custody(record, rng, shape, t + timedelta(hours=1), now)


def _release(record: _Recorder, when: datetime) -> None:
    """Release from police custody: the encounter ends, then the detention record follows it
    (``police_custody_ended``), so the case never shows someone released yet still held."""
    record("police", "release_without_charge", _at(when), 1)
    record("police", "release_to_liberty", _at(when), reason="released")


def _after_custody(
    record: _Recorder, rng: random.Random, shape: str, t: datetime, now: datetime
) -> None:
    """Papers, detention and what follows, for cases weeks or months old."""
    record(IO, "record_seen_by_io", _at(t), 1, admitted_immigration_offence=True)
    record(IO, "serve_removal_papers", _at(t), basis="overstayer")
    if shape == "absconder":
        # Released from police custody on reporting restrictions, as Figure 1 on 22 May 2014.
        record("police", "release_without_charge", _at(t), 1)
        record(IO, "release_on_reporting_restrictions", _at(t))
        record(IO, "issue_reporting_directions", _at(t))
        record(IO, "record_missed_reporting", _at(t + timedelta(days=14)))
        record(IO, "list_as_absconder", _at(t + timedelta(days=28)))
        return
    record("police", "hand_to_immigration", _at(t), 1)
    record(IO, "detain_under_immigration_powers", _at(t))
    t += timedelta(days=1)
    record(IO, "record_etd_needed", _at(t))
    if shape == "pending_claim":
        kind = rng.choice(("asylum", "human_rights"))
        record(IO, "lodge_claim", _at(t + timedelta(days=2)), kind=kind)
        return
    if shape == "detained_etd":
        if rng.random() < 0.5:
            record(
                IO,
                "apply_for_etd",
                _at(t + timedelta(days=3)),
                high_commission="High Commission of Synthland (synthetic)",
            )
        return
    record(
        IO,
        "apply_for_etd",
        _at(t + timedelta(days=3)),
        high_commission="High Commission of Synthland (synthetic)",
    )
    record(IO, "record_etd_issued", _at(t + timedelta(days=10)))
    when = min(t + timedelta(days=12), now)
    removal_day = (now + timedelta(days=rng.randint(1, 30))).date().isoformat()
    record(IO, "set_removal_directions", _at(when), removal_date=removal_day, escorted=False)
