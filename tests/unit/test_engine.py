"""The engine against every definition: each transition allowed from its sources and refused
elsewhere, each role allowed or refused, with the reasons; versions pinned per instance."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from casetracker.domain.case_view import Attempt, CaseView, Instance
from casetracker.domain.effective_time import parse
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.events import RecordedEvent
from casetracker.domain.vocabulary import NEW, ActionSpec, Role, StateSpec
from casetracker.services.registry import workflow_engine
from workflows import DEFINITIONS, case_file

NOW = datetime(2016, 6, 24, 12, tzinfo=UTC)
FLOW = workflow_engine()
CASES = [
    (spec, action, state.name)
    for spec in DEFINITIONS
    for action in spec.actions
    for state in spec.states
]


def _view_in(spec, state: str) -> tuple[CaseView, int]:
    number = 1 if spec.many else 0
    instance = Instance(spec.name, number, state, version=spec.version)
    return CaseView("C-test", {instance.key: instance}), number


def _attempt(spec, number, action, role) -> Attempt:
    return Attempt(spec.name, number, action.name, {}, parse("2016-06-24", NOW), role, NOW, True)


@pytest.mark.parametrize(("spec", "action", "state"), CASES, ids=lambda x: getattr(x, "name", x))
def test_every_transition_is_allowed_from_its_sources_and_refused_elsewhere(spec, action, state):
    view, number = _view_in(spec, state)
    blocks = FLOW.check(view, _attempt(spec, number, action, action.roles[0].value))
    state_blocks = [b for b in blocks if b.rule == "state"]
    if state in action.sources:
        assert not state_blocks
    else:
        assert len(state_blocks) == 1
        label = spec.state(state).label
        assert label in state_blocks[0].reason and "this needs" in state_blocks[0].reason


@pytest.mark.parametrize(
    ("spec", "action"),
    [(s, a) for s in DEFINITIONS for a in s.actions],
    ids=lambda x: getattr(x, "name", x),
)
@pytest.mark.parametrize("role", list(Role))
def test_every_role_is_allowed_or_refused_with_who_may(spec, action, role):
    source = next(s for s in action.sources if s != NEW) if NEW not in action.sources else None
    if source is None:
        view, number = CaseView("C-test"), 1
    else:
        view, number = _view_in(spec, source)
    blocks = FLOW.check(view, _attempt(spec, number, action, role.value))
    role_blocks = [b for b in blocks if b.rule == "role"]
    if role in action.roles:
        assert not role_blocks
    else:
        assert len(role_blocks) == 1
        assert f"the {role.value} role may not" in role_blocks[0].reason
        assert all(r.value in role_blocks[0].remedy for r in action.roles)


def test_fired_transition_goes_through_the_compiled_machine():
    spec = case_file.DEFINITION
    view = CaseView("C-test")
    attempt = Attempt("case", 0, "open_case", {}, parse("now", NOW), "police", NOW)
    assert FLOW.fire(view, attempt) == "open"
    assert FLOW.machine("case", 1) is FLOW.machine("case", 1)  # built once, shared
    assert FLOW.machine("case", 1).models == []  # cases are never attached to it
    assert spec.action("open_case").dest == "open"


def _event(seq: int, version: int, action: str) -> RecordedEvent:
    return RecordedEvent(
        seq, "C-1", seq, "live", "case", version, 0, action, "u", "police", "2016-01-01",
        "2016-01-01T00:00:00.000000Z", f"k{seq}", '{"fields":{}}', "0" * 64, f"{seq:064d}",
    )  # fmt: skip


def test_an_instance_stays_on_the_version_it_started_under():
    v2 = replace(
        case_file.DEFINITION,
        version=2,
        states=(*case_file.DEFINITION.states, StateSpec("archived", "Archived", terminal=True)),
        actions=(
            *case_file.DEFINITION.actions,
            ActionSpec("archive_case", "Archive", ("closed",), "archived", (Role.ADMIN,)),
        ),
    )
    flow = WorkflowEngine([case_file.DEFINITION, v2])
    old = flow.fold("C-1", [_event(1, 1, "open_case"), _event(2, 1, "close_case")])
    assert old.instances["case"].version == 1
    assert flow.version_for(old, "case", 0) == 1
    attempt = Attempt("case", 0, "archive_case", {}, parse("now", NOW), "admin", NOW)
    blocks = flow.check(old, attempt)
    assert blocks and "has no action archive_case" in blocks[0].reason
    assert flow.version_for(CaseView("C-2"), "case", 0) == 2
    state: dict[str, str] = {}
    flow.apply(state, "case", 1, 0, "open_case")
    with pytest.raises(ValueError, match="version 1 has no action 'archive_case'"):
        flow.apply(state, "case", 1, 0, "archive_case")


def test_replay_table_refuses_an_illegal_step():
    state: dict[str, str] = {}
    with pytest.raises(ValueError, match="cannot apply"):
        FLOW.apply(state, "case", 1, 0, "close_case")


FIRES = [
    (spec, action, source)
    for spec in DEFINITIONS
    for action in spec.actions
    for source in action.sources
    if source != NEW or spec.many  # a one-per-case lifecycle starts in its initial state
]


@pytest.mark.parametrize(("spec", "action", "source"), FIRES, ids=lambda x: getattr(x, "name", x))
def test_fire_lands_where_triggering_the_machine_would(spec, action, source):
    """``fire`` reads the machine's transition table instead of calling ``trigger``."""

    class Token:
        state = source

    token = Token()
    FLOW.machine(spec.name, spec.version).events[action.name].trigger(token)
    if source == NEW:
        view, number = CaseView("C-test"), (1 if spec.many else 0)
    else:
        view, number = _view_in(spec, source)
    attempt = Attempt(spec.name, number, action.name, {}, parse("2016-06-24", NOW), "x", NOW)
    assert FLOW.fire(view, attempt) == token.state == action.dest
