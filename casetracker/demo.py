"""The demo database: the report's two case studies and a few hundred generated cases.

A new user should find every queue populated the first time they open it: people arrested in
the last few hours and waiting for a status check, immigration offenders whose PACE clock is
running down (¶4.21), ETDs outstanding, absconders, removal directions due, undecided claims,
spread over several forces.  Every case is recorded through the real service (``act``) by the
seeded user of the role that would do it, so the guards check the generated data exactly as
they check a caseworker's, and the read models and the access log are as in real use.

Generation is deterministic for a given seed and clock: tests freeze the clock and get the
same database every time.  All names are synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from casetracker import clock
from casetracker.case_studies import FIGURE_1, FIGURE_2
from casetracker.effective_time import instant, out_of_sequence, parse_canonical
from casetracker.identity import SEEDED_USERS
from casetracker.sandbox import StoryClock, story_clock
from casetracker.services import Casetracker, create_database

# Forces the generated arrests come from, weighted roughly as the report's arrests are
# (about a third by MPS, ¶3.1), with the three inspected forces well represented.
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
    """Acts on one case as whichever seeded user holds the step's role."""

    def __init__(self, services: dict[str, Casetracker]) -> None:
        self.services = services
        self.case_id = ""
        self.steps = 0  # numbers each command's idempotency key: a rerun records nothing twice

    def open(self, when: str, force: str, name: str) -> None:
        self.steps += 1
        result = self.services["police"].open_case(
            {"name": name, "nationality": "Synthland (synthetic)", "force": force},
            when,
            idempotency_key=f"demo:{self.steps}",
        )
        self.case_id = result.case_id

    def __call__(
        self, role: str, action: str, when: str, instance: int | None = None, **fields: Any
    ) -> None:
        self.steps += 1
        self.services[role].act(
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
        story.stamp(times[index].start, None, index in late)
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
    _, created = create_database(url, "demo")
    if not created:
        return DemoSummary(url, False, 0)
    with ExitStack() as stack:
        services = {
            role: Casetracker(url, as_user=user) for role, (user, _) in SEEDED_USERS.items()
        }
        for service in services.values():
            stack.callback(service.close)
        record = _Recorder(services)
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
        for n in range(cases):
            _generated_case(record, rng, now)
            if progress is not None:
                progress(n + 1, cases)
    return DemoSummary(url, True, cases + 2)


def _at(moment: datetime) -> str:
    return instant(moment).text


def _pick_force(rng: random.Random) -> str:
    codes, weights = zip(*FORCES, strict=True)
    return rng.choices(codes, weights)[0]


# Shapes of case and how often each occurs: most arrests end quickly; the rest fill the queues.
_SHAPES = (
    ("awaiting_check", 14),
    ("checked_awaiting_result", 6),
    ("offender_in_custody", 18),
    ("lawful_released", 12),
    ("not_referred", 10),
    ("local_referral", 6),
    ("detained_etd", 10),
    ("absconder", 8),
    ("removal_due", 8),
    ("pending_claim", 8),
)


def _generated_case(record: _Recorder, rng: random.Random, now: datetime) -> None:
    shapes, weights = zip(*_SHAPES, strict=True)
    shape = rng.choices(shapes, weights)[0]
    force = _pick_force(rng)
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.randint(100, 999)}"
    recent = shape in ("awaiting_check", "checked_awaiting_result", "offender_in_custody")
    # Arrests still in custody happened within the PACE day; the others weeks or months ago.
    hours_ago = rng.uniform(0.5, 23.0) if recent else rng.uniform(24 * 40, 24 * 200)
    arrested = now - timedelta(hours=hours_ago)
    record.open(_at(arrested - timedelta(minutes=5)), force, name)
    offence, category = rng.choice(OFFENCES)
    suites = SUITES.get(force)
    where = {"custody_suite": rng.choice(suites)} if suites else {}
    t = arrested
    record(
        "police", "arrest", _at(t), offence=offence, offence_category=category, force=force, **where
    )
    record("police", "enter_police_custody", _at(t))
    t += timedelta(minutes=rng.randint(10, 50))
    record(
        "police",
        "record_nationality",
        _at(t),
        1,
        nationality="Synthland (synthetic)",
        nationality_group=rng.choice(("non_eea", "non_eea", "eea", "unknown")),
        nationality_basis="claimed",
    )
    if shape == "not_referred":
        record("police", "release_without_charge", _at(t + timedelta(hours=rng.randint(2, 9))), 1)
        return
    t += timedelta(minutes=rng.randint(5, 40))
    if shape == "local_referral" and force != "MPS":
        record("police", "refer_to_local_io", _at(t), encounter=1)
        return
    record("police", "refer_to_ccu", _at(t), encounter=1)
    if shape == "awaiting_check":
        return
    t += timedelta(minutes=rng.randint(5, 30))
    record("ccu", "check_cid", _at(t), 1, fingerprint_match=rng.choice(("matched", "not_taken")))
    if shape == "checked_awaiting_result":
        return
    if shape == "lawful_released":
        record("ccu", "record_lawful_status", _at(t), 1)
        record("police", "release_without_charge", _at(t + timedelta(hours=2)), 1)
        return
    record("ccu", "record_immigration_offender", _at(t), 1, offender_kind="overstayer")
    onward = "refer_to_joc" if force == "MPS" else "refer_to_ice_team"
    record("ccu", onward, _at(t), 1)
    if onward == "refer_to_joc" and rng.random() < 0.7:
        record("joc", "pass_to_io", _at(t + timedelta(minutes=20)), 1)
    if shape == "offender_in_custody":
        if rng.random() < 0.3:
            record(IO, "record_seen_by_io", _at(t + timedelta(minutes=30)), 1)
        return
    _after_custody(record, rng, shape, t + timedelta(hours=1), now)


def _after_custody(
    record: _Recorder, rng: random.Random, shape: str, t: datetime, now: datetime
) -> None:
    """Papers, detention and what follows, for cases weeks or months old."""
    record(IO, "record_seen_by_io", _at(t), 1, admitted_immigration_offence=True)
    record(IO, "serve_removal_papers", _at(t), basis="overstayer")
    if shape == "absconder":
        record("police", "release_without_charge", _at(t), 1)
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
