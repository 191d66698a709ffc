"""The engine's refusals and what they say, firing, and versions pinned per instance.

Which action is allowed from which state and for which role is checked against the hand-written
table of the report's rules in ``test_lifecycle_table``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from transitions import MachineError

from casetracker.domain.case_view import Attempt, Block, CaseView, Instance
from casetracker.domain.effective_time import parse
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.events import RecordedEvent
from casetracker.domain.vocabulary import ActionSpec, Role, StateSpec
from casetracker.services.registry import workflow_engine
from workflows import case_file

NOW = datetime(2016, 6, 24, 12, tzinfo=UTC)
FLOW = workflow_engine()


def _view_in(workflow: str, number: int, state: str) -> CaseView:
    instance = Instance(workflow, number, state)
    return CaseView("C-test", {instance.key: instance})


def _blocks(view: CaseView, workflow: str, number: int, action: str, role: str) -> list[Block]:
    attempt = Attempt(workflow, number, action, {}, parse("2016-06-24", NOW), role, NOW, True)
    return FLOW.check(view, attempt)


def test_a_refused_role_is_told_which_roles_may():
    blocks = _blocks(_view_in("case", 0, "open"), "case", 0, "close_case", "police")
    assert blocks == [
        Block(
            "the police role may not close the case",
            "ask someone with one of these roles: casework, immigration_officer, admin",
            rule="role",
        )
    ]


def test_a_refused_state_says_where_the_lifecycle_is_and_what_the_action_needs():
    blocks = _blocks(_view_in("barrier", 1, "refused"), "barrier", 1, "refuse_claim", "casework")
    assert blocks == [Block("barrier#1 is Refused; this needs Lodged, undecided", rule="state")]
    blocks = _blocks(_view_in("removal", 0, "not_liable"), "removal", 0, "remove", "casework")
    assert (
        Block("Removal is Not liable to removal; this needs Removal directions set", rule="state")
        in blocks
    )


def test_an_action_on_an_instance_not_yet_started_says_there_is_none():
    blocks = _blocks(CaseView("C-test"), "barrier", 1, "refuse_claim", "casework")
    assert blocks == [
        Block("there is no claim or challenge that can record the claim as refused", rule="state")
    ]


def test_a_refusal_gives_every_reason_at_once():
    """Wrong state and wrong role are both reported, not only the first found."""
    blocks = _blocks(_view_in("case", 0, "closed"), "case", 0, "close_case", "police")
    assert [b.rule for b in blocks] == ["state", "role"]


def test_fire_refuses_a_state_the_action_does_not_leave_from():
    attempt = Attempt("case", 0, "close_case", {}, parse("now", NOW), "admin", NOW)
    with pytest.raises(MachineError):
        FLOW.fire(_view_in("case", 0, "closed"), attempt)


def test_fired_transition_goes_through_the_compiled_machine():
    view = CaseView("C-test")
    attempt = Attempt("case", 0, "open_case", {}, parse("now", NOW), "police", NOW)
    assert FLOW.fire(view, attempt) == "open"
    assert FLOW.machine("case", 1) is FLOW.machine("case", 1)  # built once, shared
    assert FLOW.machine("case", 1).models == []  # cases are never attached to it


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
