"""A whole generated demo database agrees with itself about custody, and names every force.

A new user found demo case 295 showing encounter #1 released but the detention record still in
police custody: the generator ended the encounter and never moved the detention record.  Every
case here, the two case studies and the generated ones alike, is read back from the log.
"""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime

import pytest

from casetracker.domain import clock
from casetracker.domain.case_view import CaseView
from casetracker.domain.queues import case_force
from casetracker.domain.rules.field_values import as_text
from casetracker.domain.rules.police_custody import custody_contradictions, custody_steps_pending
from casetracker.services.cases import Casetracker
from casetracker.services.demo import build_demo

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CASES = 300


@pytest.fixture(scope="module")
def demo_cases(tmp_path_factory) -> list[CaseView]:
    url = f"sqlite:///{tmp_path_factory.mktemp('custody-demo') / 'demo.db'}"
    clock.set_clock(lambda: NOW)
    try:
        summary = build_demo(url, CASES)
        with closing(Casetracker(url, as_user="audit.demo")) as auditor:
            return [auditor.replay(f"C-{n:07d}")[0] for n in range(1, summary.cases + 1)]
    finally:
        clock.set_clock(None)


def test_every_shape_of_generated_case_is_there(demo_cases: list[CaseView]) -> None:
    """The checks below cover releases, hand-overs and people still held, not a lucky few."""
    ends = {e.state for view in demo_cases for e in view.of("encounter")}
    assert {"in_custody", "released", "handed_to_immigration"} <= ends
    where = {view.one("detention").state for view in demo_cases}
    assert {"police_custody", "at_liberty", "temporary_release", "immigration_detention"} <= where


def test_no_case_is_released_by_the_police_yet_still_in_police_custody(
    demo_cases: list[CaseView],
) -> None:
    wrong = {
        view.case_id: custody_contradictions(view) + custody_steps_pending(view)
        for view in demo_cases
    }
    assert {case: found for case, found in wrong.items() if found} == {}


def test_every_case_in_police_custody_has_an_encounter_holding_it(
    demo_cases: list[CaseView],
) -> None:
    held = [v for v in demo_cases if v.one("detention").state == "police_custody"]
    assert held
    assert all(any(e.state == "in_custody" for e in v.of("encounter")) for v in held)


def test_every_arrest_records_the_force_the_case_was_opened_with(
    demo_cases: list[CaseView],
) -> None:
    for view in demo_cases:
        opened = as_text(view.one("case").fields.get("force")).upper()
        encounters = view.of("encounter")
        assert encounters, view.case_id
        assert {as_text(e.fields.get("force")).upper() for e in encounters} == {opened}, (
            view.case_id
        )
        assert case_force(view) == opened, view.case_id
