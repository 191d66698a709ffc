"""Police custody and the detention record never disagree (``police_custody_ended``).

A new user, as an immigration officer on a case in police custody, served removal papers and
then detained the subject under immigration powers: the case showed encounter #1 in police
custody with its PACE clock running and the detention record in immigration detention.  The
police end their hold first (fn 17), then the detention record follows (Figure 1, 7–8 May 2016;
Figure 2).
"""

from __future__ import annotations

import pytest

from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.rules.police_custody import (
    custody_contradictions,
    custody_steps_pending,
    held_by_police,
)
from casetracker.services.training import case_studies
from casetracker.services.training.scenarios import available, load
from tests.unit.view_builder import Refused, ViewBuilder

IO = "immigration_officer"
ARREST = {"offence": "theft", "offence_category": "theft", "force": "WMP"}
TIME = "2015-06-21T10:00"


def rules(blocks: list) -> list[str]:
    return [b.rule for b in blocks]


@pytest.fixture
def in_custody() -> ViewBuilder:
    """An overstayer arrested by WMP and in police custody, removal papers served."""
    builder = ViewBuilder()
    builder.act("leave", 0, "record_illegal_entry", effective="2015-01", role=IO)
    builder.act("encounter", "new", "arrest", ARREST, TIME)
    builder.act("detention", 0, "enter_police_custody", effective=TIME)
    builder.act("removal", 0, "serve_removal_papers", {"basis": "illegal_entrant"}, TIME, IO)
    return builder


def test_detaining_someone_the_police_still_hold_is_refused_with_reason_and_remedy(
    in_custody: ViewBuilder,
) -> None:
    with pytest.raises(Refused) as refused:
        in_custody.act("detention", 0, "detain_under_immigration_powers", effective=TIME, role=IO)
    (found,) = refused.value.blocks
    assert found.rule == "police_custody_ended"
    assert found.reason == (
        "encounter #1 still holds the subject in police custody (the PACE clock is running)"
    )
    assert found.remedy == (
        "the police end encounter #1 first: hand the subject over to immigration detention"
    )
    assert in_custody.view.one("detention").state == "police_custody"
    assert in_custody.view.instances["encounter#1"].state == "in_custody"


@pytest.mark.parametrize("role", ["police", IO])
def test_hand_over_then_detention_is_the_way_into_immigration_detention(
    in_custody: ViewBuilder, role: str
) -> None:
    in_custody.act("encounter", 1, "hand_to_immigration", effective=TIME, role=role)
    assert custody_steps_pending(in_custody.view) == [
        "detention is police_custody but no encounter holds the subject "
        "(encounter#1 is handed_to_immigration): record where the subject went"
    ]
    in_custody.act("detention", 0, "detain_under_immigration_powers", effective=TIME, role=IO)
    view = in_custody.view
    assert view.one("detention").state == "immigration_detention"
    assert held_by_police(view) == []
    assert custody_contradictions(view) == custody_steps_pending(view) == []
    assert rules(in_custody.blocks("encounter", 1, "hand_to_immigration")) == ["state"]


@pytest.mark.parametrize(
    ("action", "fields", "role", "remedy"),
    [
        (
            "release_on_reporting_restrictions",
            {},
            IO,
            "the police end encounter #1 first: release the subject from police custody",
        ),
        (
            "release_to_liberty",
            {"reason": "released"},
            "police",
            "record how encounter #1 ended first: released, bailed, no further action or ran away",
        ),
        (
            "enter_prison",
            {"basis": "remand"},
            "police",
            "charge and remand the subject on encounter #1 first",
        ),
    ],
)
def test_no_detention_step_leaves_police_custody_while_the_clock_runs(
    in_custody: ViewBuilder, action: str, fields: dict, role: str, remedy: str
) -> None:
    blocks = in_custody.blocks("detention", 0, action, fields, TIME, role)
    assert rules(blocks) == ["police_custody_ended"]
    assert blocks[0].remedy == remedy


def test_charged_is_still_held_until_remanded(in_custody: ViewBuilder) -> None:
    in_custody.act("encounter", 1, "charge", effective=TIME)
    blocks = in_custody.blocks("detention", 0, "enter_prison", {"basis": "remand"}, TIME)
    assert [(b.reason, b.remedy) for b in blocks] == [
        (
            "encounter #1 still holds the subject in police custody "
            "(charged, and not yet remanded or bailed to court)",
            "record the remand on encounter #1 first",
        )
    ]
    detain = in_custody.blocks("detention", 0, "detain_under_immigration_powers", role=IO)
    assert [b.remedy for b in detain] == ["record remand or bail to court on encounter #1 first"]
    in_custody.act("encounter", 1, "remand", effective=TIME)
    assert in_custody.blocks("detention", 0, "enter_prison", {"basis": "remand"}, TIME) == []


@pytest.mark.parametrize(
    ("ending", "follows", "fields", "role"),
    [
        ("release_without_charge", "release_to_liberty", {"reason": "released"}, "police"),
        ("release_without_charge", "release_on_reporting_restrictions", {}, IO),
        ("bail", "release_to_liberty", {"reason": "bailed"}, "police"),
        ("take_no_further_action", "release_to_liberty", {"reason": "released"}, "police"),
        ("escape_custody", "release_to_liberty", {"reason": "escaped"}, "police"),
    ],
)
def test_once_the_encounter_ends_the_detention_record_follows(
    in_custody: ViewBuilder, ending: str, follows: str, fields: dict, role: str
) -> None:
    in_custody.act("encounter", 1, ending, effective=TIME)
    assert custody_steps_pending(in_custody.view)
    in_custody.act("detention", 0, follows, fields, TIME, role)
    assert custody_contradictions(in_custody.view) == []
    assert custody_steps_pending(in_custody.view) == []


def test_a_second_arrest_holds_the_subject_whatever_the_first_encounter_says() -> None:
    """Figure 1: re-arrested on 7 Nov 2015 after running away from the 6 Nov arrest."""
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST, "2015-11-06")
    builder.act("detention", 0, "enter_police_custody", effective="2015-11-06")
    builder.act("encounter", 1, "escape_custody", effective="2015-11-06")
    builder.act("detention", 0, "release_to_liberty", {"reason": "escaped"}, "2015-11-06")
    builder.act("encounter", "new", "arrest", ARREST, "2015-11-07")
    assert custody_steps_pending(builder.view) == [
        "detention is at_liberty after an arrest: record the entry to police custody"
    ]
    builder.act("detention", 0, "enter_police_custody", effective="2015-11-07")
    blocks = builder.blocks("detention", 0, "detain_under_immigration_powers", role=IO)
    assert [b.reason for b in blocks] == [
        "encounter #2 still holds the subject in police custody (the PACE clock is running)"
    ]


def test_a_contradiction_recorded_before_the_guard_is_still_named() -> None:
    """Histories recorded before the guard existed replay unchecked; the rule still finds
    the contradiction in them (the new user's case: detained while the PACE clock ran)."""
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST, TIME)
    builder.act("detention", 0, "enter_police_custody", effective=TIME)
    flow: WorkflowEngine = builder.flow
    last = builder.view.steps[-1][1]
    flow.advance(builder.view, "detention", 1, 0, "detain_under_immigration_powers", last)
    assert custody_contradictions(builder.view) == [
        "encounter#1 is in_custody but detention is immigration_detention"
    ]


@pytest.mark.parametrize("name", available())
def test_no_shipped_scenario_ever_contradicts_itself(name: str) -> None:
    """After every recorded step of every shipped flow, not only at its end."""
    builder = ViewBuilder()
    steps = case_studies.steps(name)
    builder.act("case", 0, "open_case", {"force": load(name).force}, steps[0]["effective"])
    for number, step in enumerate(steps, 1):
        if step["refused"]:
            continue
        builder.act_step(step)
        assert custody_contradictions(builder.view) == [], f"{name} step {number}"
    assert custody_steps_pending(builder.view) == [], name
