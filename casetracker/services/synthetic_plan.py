"""The plan of a synthetic year: the report's figures, the force profiles derived from them,
and who is arrested by which force how often.

Nothing here describes a real person: names, dates of birth, nationalities ("Synthland") and
identifiers are made up, and the README says so.  The shape comes from the report:

* 185,000-193,000 arrests of foreign nationals a year, about a third by the MPS (¶3.1);
* more than half referred to CCU overall, under 30% outside London (¶4.8), counted as CCU
  status checks (calls, repeat calls included) per arrest, the measure ¶4.8 compares;
* WMP just over a third (¶4.10); WYP under 15%, with 2,920 people referred directly to local
  immigration staff and 881 calls to CCU in 2015 (¶4.11, fn 13);
* repeat arrests of one person and repeat calls about one arrest (fn 13's two counting units);
* immigration offenders released before an IO saw them, more often out of IO hours (¶4.21),
  most often in London (¶4.22) and rarely from the central suites of WMP and WYP (¶4.23);
* in London nearly every foreign national is referred (¶4.2); in the West Midlands 5-10% are
  never referred (¶4.3).

Where the report gives no number, the rate chosen is listed in docs/assumptions.md.

The force profiles below are derived from those figures (``profiles``); the plan is drawn from a
``random.Random`` seeded with the seed, so a seed gives the same people on any machine.  Each
person's arrests are drawn in ``casetracker.services.synthetic_arrests``; the year is generated
and written by ``casetracker.services.synthetic_year``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from casetracker.domain.organisation import Organisation, Shift, SuiteModel

REPORT_ARRESTS = 190_000  # ¶3.1: between 185,000 and 193,000 a year
MPS_SHARE = 1 / 3  # ¶3.1: "approximately a third"
REPEAT_CALL = 0.08  # assumed: CCU referrals followed by a second call about the same arrest
LONDON_REFERRED = 0.98  # ¶4.2 "nearly all": assumed, the report gives no number
# ¶4.7, ¶4.9: London refers every arrest it identifies to CCU; calls per arrest, repeats included
LONDON_CCU_RATE = LONDON_REFERRED * (1 + REPEAT_CALL)
OUTSIDE_LONDON_CCU_RATE = 0.28  # ¶4.8: "less than 30%" once MPS is excluded
WMP_CCU_RATE = 0.36  # ¶4.10: "just over a third"
WMP_SHARE = 0.05  # not in the report: the West Midlands' share of arrests, assumed
WYP_CCU_RATE = 0.13  # ¶4.11: "less than 15%"
WYP_CCU_CALLS = 881  # ¶4.11 (calls, fn 13)
WYP_DIRECT_PEOPLE = 2_920  # ¶4.11 (people, fn 13)
COL_SHARE = 0.004  # City of London Police: small, and in London
ARRESTS_PER_PERSON = {1: 0.82, 2: 0.12, 3: 0.04, 4: 0.015, 5: 0.005}  # repeat arrests
OTHER_LOCAL_IO, OTHER_LOCAL_ICE = 0.20, 0.08  # other forces' local referrals per arrest
WMP_NEVER_REFERRED = 0.075  # ¶4.3: "5-10%" of those in custody never referred (the midpoint)
WMP_LOCAL_ICE = 0.02  # assumed: the report gives no number
# ¶4.10: cases passed directly to embedded IOs, the rest once CCU, the ICE office and the
# never-referred (¶4.3) are taken out.
WMP_LOCAL_IO = 1 - WMP_CCU_RATE / (1 + REPEAT_CALL) - WMP_LOCAL_ICE - WMP_NEVER_REFERRED
WYP_LOCAL_ICE_SHARE = 0.15  # ¶4.11: of WYP's local referrals, those to the enforcement office
# A few larger forces carry more arrests; the rest share equally.  Not from the report.
_RELATIVE_SIZE = {"GMP": 3.0, "TVP": 2.0, "KEN": 1.5, "ESX": 1.5, "HAM": 1.5, "MER": 1.3}


_CENTRAL_MODELS = frozenset({SuiteModel.HUB, SuiteModel.ROTA})


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
    # Suites where immigration offenders are held centrally, IOs on shift or on a rota (¶4.13,
    # ¶4.16, ¶4.19): few are released there before an IO sees them (¶4.23).
    central_suites: tuple[str, ...] = ()
    # Each suite's IO shifts, in the order of ``suites``: whether an IO is on shift when an
    # offender leaves sets the chance one saw them (``synthetic_arrests.seen_chance``).
    suite_shifts: tuple[tuple[Shift, ...], ...] = ()

    @property
    def first_ccu(self) -> float:
        return self.ccu_calls / (1 + REPEAT_CALL)


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
    out: list[ForceProfile] = []
    shifts = {f.code: tuple(s.io_shifts for s in f.suites) for f in org.forces}
    for force in org.forces:
        suites = tuple(s.name for s in force.suites)
        central = tuple(s.name for s in force.suites if s.model in _CENTRAL_MODELS)
        if force.in_london:
            share = MPS_SHARE if force.code == "MPS" else COL_SHARE
            out.append(
                ForceProfile(force.code, True, share, LONDON_CCU_RATE, 0, 0, suites, central)
            )
        elif force.code == "WMP":
            out.append(
                ForceProfile(
                    "WMP",
                    False,
                    WMP_SHARE,
                    WMP_CCU_RATE,
                    WMP_LOCAL_IO,
                    WMP_LOCAL_ICE,
                    suites,
                    central,
                )
            )
        elif force.code == "WYP":
            io = wyp_local * (1 - WYP_LOCAL_ICE_SHARE)
            ice = wyp_local * WYP_LOCAL_ICE_SHARE
            out.append(
                ForceProfile("WYP", False, wyp_share, WYP_CCU_RATE, io, ice, suites, central)
            )
        else:
            share = others_share * sizes[force.code] / total_size
            out.append(
                ForceProfile(
                    force.code,
                    False,
                    share,
                    others_rate,
                    OTHER_LOCAL_IO,
                    OTHER_LOCAL_ICE,
                    suites,
                    central,
                )
            )
    return [replace(p, suite_shifts=shifts[p.code]) for p in out]


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
