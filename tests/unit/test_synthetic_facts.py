"""The synthetic year says what the report says and contradicts none of it (issue 14, Facts).

Measured on the steps `casetracker synth` writes at its default size and seed (190,000 arrests,
seed 1), read straight from the generator:

* ¶4.2: in London nearly every arrested foreign national is referred for a status check;
* ¶4.3: in the West Midlands 5-10% are never referred;
* ¶4.22: release before an IO has seen an immigration offender is most acute in London;
* ¶4.23: offenders held at the central suites of WMP and WYP are rarely released before an IO
  sees them, fewer than at those forces' other stations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from casetracker.adapters.organisation_file import configured
from casetracker.services.synthetic_arrests import OFFENDER_RESULTS, CaseSteps, horizon_of
from casetracker.services.synthetic_plan import ForceProfile, plan, profiles

DEFAULT_ARRESTS, DEFAULT_SEED, YEAR = 190_000, 1, 2015
NOW = datetime(2016, 6, 1, tzinfo=UTC)


@dataclass
class Tally:
    arrests: Counter = field(default_factory=Counter)  # by force
    referred: Counter = field(default_factory=Counter)  # arrests with a status check, by force
    offenders: Counter = field(default_factory=Counter)  # by place
    unseen: Counter = field(default_factory=Counter)  # offenders who left before an IO saw them


def _place(force: ForceProfile, suite: str) -> str:
    if force.in_london:
        return "London"
    if force.code in ("WMP", "WYP"):
        return f"{force.code} central" if suite in force.central_suites else f"{force.code} other"
    return "elsewhere"


@pytest.fixture(scope="module")
def tally() -> Tally:
    found = Tally()
    horizon = horizon_of(NOW)
    for person in plan(DEFAULT_SEED, DEFAULT_ARRESTS, profiles(configured())):
        force = person.force
        suites: dict[int, str] = {}  # encounter -> custody suite
        checks: list[int] = []  # status check number -> encounter
        offenders: set[int] = set()
        seen: set[int] = set()
        for step in CaseSteps(person, DEFAULT_SEED, YEAR, horizon).build():
            if step.action in ("arrest", "arrest_for_immigration_offence"):
                suites[len(suites) + 1] = str(step.fields.get("custody_suite", ""))
                found.arrests[force.code] += 1
            elif step.workflow == "status_check" and step.instance is None:
                checks.append(int(step.fields["encounter"]))
            elif step.action in OFFENDER_RESULTS:
                offenders.add(checks[int(step.instance or 0) - 1])
            elif step.action == "record_seen_by_io":
                seen.add(int(step.instance or 0))
        found.referred[force.code] += len(set(checks))
        for encounter in offenders:
            place = _place(force, suites[encounter])
            found.offenders[place] += 1
            found.unseen[place] += encounter not in seen
    return found


def _unseen_rate(tally: Tally, place: str) -> float:
    return tally.unseen[place] / tally.offenders[place]


def test_london_refers_nearly_everyone(tally: Tally) -> None:  # ¶4.2
    assert tally.referred["MPS"] / tally.arrests["MPS"] >= 0.95


def test_west_midlands_never_refers_five_to_ten_percent(tally: Tally) -> None:  # ¶4.3
    never = 1 - tally.referred["WMP"] / tally.arrests["WMP"]
    assert 0.05 <= never <= 0.10, never


def test_release_before_an_io_is_most_acute_in_london(tally: Tally) -> None:  # ¶4.22
    london = _unseen_rate(tally, "London")
    others = [p for p in tally.offenders if p != "London"]
    assert all(london > _unseen_rate(tally, p) for p in others), {
        p: round(_unseen_rate(tally, p), 3) for p in tally.offenders
    }


@pytest.mark.parametrize("force", ["WMP", "WYP"])
def test_central_suites_rarely_release_before_an_io(tally: Tally, force: str) -> None:  # ¶4.23
    central = _unseen_rate(tally, f"{force} central")
    assert tally.offenders[f"{force} central"] > 0
    assert central <= 0.05, central
    assert central < _unseen_rate(tally, f"{force} other")
