"""Static checks of every lifecycle definition, and both case studies replayed against them."""

from __future__ import annotations

from collections import deque

import pytest

import workflows
from casetracker.domain.effective_time import out_of_sequence, parse_canonical
from casetracker.domain.fields import validate_fields
from casetracker.domain.rules.guards import GUARDS
from casetracker.domain.vocabulary import NEW, Role, WorkflowSpec
from tests.unit import case_studies
from tests.unit.view_builder import ViewBuilder

SPECS = workflows.DEFINITIONS
IDS = [f"{s.name}-v{s.version}" for s in SPECS]


def _start(spec: WorkflowSpec) -> str:
    return NEW if spec.many else spec.initial


def _reachable(spec: WorkflowSpec) -> set[str]:
    seen = {_start(spec)}
    queue = deque(seen)
    while queue:
        state = queue.popleft()
        for action in spec.actions:
            if state in action.sources and action.dest not in seen:
                seen.add(action.dest)
                queue.append(action.dest)
    return seen


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_source_and_destination_is_a_declared_state(spec: WorkflowSpec) -> None:
    states = {s.name for s in spec.states}
    assert len(states) == len(spec.states), "duplicate state names"
    assert spec.initial in states | {NEW}
    assert (spec.initial == NEW) == spec.many
    for action in spec.actions:
        assert action.dest in states, f"{action.name} leads to unknown {action.dest}"
        for source in action.sources:
            assert source in states | {NEW}, f"{action.name} leaves from unknown {source}"
        assert (NEW in action.sources) <= spec.many, f"{action.name} starts a single lifecycle"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_guards_roles_and_labels_are_known(spec: WorkflowSpec) -> None:
    assert spec.label
    assert spec.cites
    assert spec.help
    for action in spec.actions:
        assert action.label, action.name
        assert action.roles, action.name
        assert all(isinstance(r, Role) for r in action.roles), action.name
        missing = [g for g in action.guards if g not in GUARDS]
        assert not missing, f"{action.name} names unknown guards {missing}"
        assert action.name.isidentifier()
        assert action.name == action.name.lower()
        assert len({f.name for f in action.fields}) == len(action.fields), action.name
    for state in spec.states:
        assert state.label, state.name


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_state_is_reachable_and_none_is_a_dead_end(spec: WorkflowSpec) -> None:
    reachable = _reachable(spec)
    assert {s.name for s in spec.states} <= reachable
    for state in spec.states:
        leaving = [a for a in spec.actions if state.name in a.sources]
        assert state.terminal or leaving, f"{state.name} is a dead end but not terminal"
        assert not (state.terminal and leaving), f"terminal {state.name} has actions"


@pytest.mark.parametrize("spec", [s for s in SPECS if s.many], ids=lambda s: s.name)
def test_many_instance_lifecycles_can_start(spec: WorkflowSpec) -> None:
    assert any(NEW in a.sources for a in spec.actions)


def test_action_names_are_unique_across_lifecycles() -> None:
    owners: dict[str, str] = {}
    for spec in SPECS:
        for action in spec.actions:
            owner = owners.setdefault(action.name, spec.name)
            assert owner == spec.name, f"{action.name} in {owner} and {spec.name}"


def test_every_guard_is_used_by_some_action() -> None:
    used = {g for spec in SPECS for a in spec.actions for g in a.guards}
    assert set(GUARDS) == used


def test_registry_lookups() -> None:
    assert workflows.get("removal", 1) is workflows.latest("removal")
    assert "encounter" in workflows.names()
    assert len(workflows.names()) == len(set(workflows.names()))
    with pytest.raises(KeyError):
        workflows.get("removal", 99)
    with pytest.raises(KeyError):
        workflows.latest("nothing")


def test_nationality_is_personal_and_its_group_is_not() -> None:
    record = workflows.latest("encounter").action("record_nationality")
    assert record is not None
    personal = {f.name: f.personal for f in record.fields}
    assert personal == {
        "nationality": True,
        "verified_nationality": True,  # kept beside the claim, never over it (issue 14 item 8)
        "nationality_group": False,
        "nationality_basis": False,
    }


def test_figure_1_replays_and_ends_detained_with_removal_deferred() -> None:
    view = ViewBuilder().replay(case_studies.FIGURE_1)
    for key, state in case_studies.FIGURE_1_ENDS.items():
        assert view.instances[key].state == state, key
    assert len(view.of("encounter")) == 5
    assert [c.state for c in view.of("barrier")] == ["refused", "refused", "lodged", "lodged"]
    listings = view.one("reporting").history
    assert sum(s.action == "list_as_absconder" for s in listings) == 2


def test_figure_2_replays_and_ends_removed() -> None:
    view = ViewBuilder().replay(case_studies.FIGURE_2)
    for key, state in case_studies.FIGURE_2_ENDS.items():
        assert view.instances[key].state == state, key
    removal = view.one("removal").history
    assert sum(s.action == "record_frustrated_removal" for s in removal) == 2
    etd = view.one("etd")
    applied, issued = etd.last("apply_for_etd"), etd.last("record_etd_issued")
    assert (issued.effective.start - applied.effective.start).days == 7


def test_figure_1_flags_only_the_misdated_human_rights_claim() -> None:
    steps = case_studies.FIGURE_1
    flagged = out_of_sequence([parse_canonical(s["effective"]) for s in steps])
    assert [steps[i]["fields"].get("kind") for i in flagged] == ["human_rights"]


# Figure 2: the report publishes the subject's nationality and the ETD's High Commission.
PUBLISHED_FACTS = {"Indian", "Indian High Commission"}


@pytest.mark.parametrize("figure", [case_studies.FIGURE_1, case_studies.FIGURE_2])
def test_case_study_steps_are_well_formed(figure: list[dict]) -> None:
    for step in figure:
        spec = workflows.latest(step["workflow"])
        action = spec.action(step["action"])
        assert action is not None, step
        assert step["role"] in {r.value for r in action.roles}, step
        validate_fields(action, step["fields"])
        for field in action.fields:
            value = step["fields"].get(field.name)
            if field.personal and value is not None and value not in PUBLISHED_FACTS:
                assert "synthetic" in value
        assert parse_canonical(step["effective"]).text == step["effective"]


def test_the_proposable_actions_are_the_four_eyes_rules() -> None:
    """The authorisation lifecycle's choice of action (a definition may use only the domain's
    vocabulary) names exactly the actions ``domain.four_eyes`` has a rule for: one added to
    either alone would be refused by the other."""
    from casetracker.domain.four_eyes import RULES
    from workflows.authorisation import DEFINITION

    propose = DEFINITION.action("propose_action")
    assert propose is not None
    (choice,) = [f for f in propose.fields if f.name == "proposed_action"]
    assert set(choice.choices) == set(RULES)
