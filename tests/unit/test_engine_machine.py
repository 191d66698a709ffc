"""The compiled machine, not the definition, decides every transition.

Each test builds a fresh engine, then changes what its machine says (through the library's
public ``add_transition``) or what its definition says, and shows that checking, firing, choosing
an instance, bulk opening and replay all follow the machine: any of them reading the
definition's sources instead would fail here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from transitions import MachineError

from casetracker.adapters.organisation_file import configured
from casetracker.domain.case_view import Attempt, CaseView, Instance
from casetracker.domain.effective_time import parse
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.rules.guards import GUARDS, GuardContext
from casetracker.services.bulk import BulkStep, BulkValidator, StepRefused
from workflows import DEFINITIONS

NOW = datetime(2016, 6, 24, 12, tzinfo=UTC)
WHEN = parse("2016-06-24", NOW)
ORG = configured()


def workflow_engine() -> WorkflowEngine:
    """An engine of its own, as the registry builds the process's shared one: these tests change
    its machines."""
    return WorkflowEngine(
        DEFINITIONS, GUARDS, lambda view, attempt: GuardContext(view, attempt, ORG)
    )


def _view(workflow: str, *states: str) -> CaseView:
    """A case with one instance per state given (numbered from 1 for a many-instance one)."""
    view = CaseView("C-test")
    for number, state in enumerate(states, start=0 if workflow == "case" else 1):
        instance = Instance(workflow, number, state)
        view.instances[instance.key] = instance
    return view


def _attempt(action: str, role: str = "casework", workflow: str = "case", number: int = 0):
    return Attempt(workflow, number, action, {}, WHEN, role, NOW, preview=True)


def _state_blocks(flow: WorkflowEngine, view: CaseView, attempt: Attempt) -> list[str]:
    return [b.reason for b in flow.check(view, attempt) if b.rule == "state"]


def test_check_and_fire_follow_a_transition_added_to_the_machine() -> None:
    flow = workflow_engine()
    closed = _view("case", "closed")
    assert _state_blocks(flow, closed, _attempt("close_case")) == [
        "Case file is Closed; this needs Open"
    ]
    with pytest.raises(MachineError):
        flow.fire(closed, _attempt("close_case"))

    flow.machine("case", 1).add_transition("close_case", "closed", "erased")

    assert _state_blocks(flow, closed, _attempt("close_case")) == []
    assert flow.fire(closed, _attempt("close_case")) == "erased"
    assert closed.instances["case"].state == "closed"  # firing decides; folding records
    close = flow.spec("case").action("close_case")
    assert close is not None and close.sources == ("open",)  # the definition is untouched


def test_the_reason_for_a_refusal_names_the_sources_the_machine_has() -> None:
    flow = workflow_engine()
    flow.machine("case", 1).add_transition("add_note", "none", "open")
    assert _state_blocks(flow, _view("case", "closed"), _attempt("add_note")) == [
        "Case file is Closed; this needs Open or Not yet opened"
    ]


def test_a_definition_changed_after_compiling_does_not_change_any_decision() -> None:
    flow = workflow_engine()
    flow.machine("case", 1)  # compiled from the definition as it was
    spec = flow.spec("case")
    close = spec.action("close_case")
    assert close is not None
    widened = replace(close, sources=("open", "closed"))
    actions = tuple(widened if a.name == "close_case" else a for a in spec.actions)
    flow.specs[("case", 1)] = flow.latest["case"] = replace(spec, actions=actions)

    closed = _view("case", "closed")
    assert _state_blocks(flow, closed, _attempt("close_case")) == [
        "Case file is Closed; this needs Open"
    ]
    with pytest.raises(MachineError):
        flow.fire(closed, _attempt("close_case"))
    with pytest.raises(ValueError, match="cannot apply"):
        flow.apply({"case": "closed"}, "case", 1, 0, "close_case")


def test_fire_lands_where_the_machine_now_sends_the_action() -> None:
    flow = workflow_engine()
    machine = flow.machine("case", 1)
    machine.remove_transition("close_case", source="open")
    machine.add_transition("close_case", "open", "erased")
    assert flow.fire(_view("case", "open"), _attempt("close_case")) == "erased"
    assert machine.models == []  # cases are never attached to it


def test_the_instance_an_action_targets_is_one_the_machine_lets_it_leave() -> None:
    flow = workflow_engine()
    view = _view("encounter", "released", "charged")
    assert flow.instance_for(view, "encounter", "bail") == 2  # none can: the latest

    flow.machine("encounter", 1).add_transition("bail", "released", "on_bail")

    assert flow.instance_for(view, "encounter", "bail") == 1
    assert flow.instance_for(view, "encounter", "bail", given=2) == 2
    assert flow.instance_for(view, "encounter", "arrest") == 3  # starts a new one
    assert flow.instance_for(_view("case", "open"), "case", "close_case") == 0
    bail = [o for o in flow.options(view, "police", _option_attempt) if o.spec.name == "bail"]
    assert [(o.number, o.state_allows) for o in bail] == [(1, True)]


def _option_attempt(workflow: str, number: int, action: str, role: str) -> Attempt:
    return Attempt(workflow, number, action, {}, WHEN, role, NOW, preview=True)


def _bulk_case(*actions: str) -> list[BulkStep]:
    fields = {"open_case": {"name": "A Person"}, "close_case": {"reason": "done"}}
    roles = {"open_case": "police"}
    return [
        BulkStep("case", 0, a, fields.get(a, {"reason": "wrong"}), WHEN, "u", roles.get(a, "admin"))
        for a in actions
    ]


def test_bulk_opening_follows_the_machine() -> None:
    twice = _bulk_case("open_case", "close_case", "close_case")
    with pytest.raises(StepRefused, match="Case file is Closed; this needs Open"):
        BulkValidator(workflow_engine(), "demo", NOW).prepare(twice)

    flow = workflow_engine()
    flow.machine("case", 1).add_transition("close_case", "closed", "erased")
    validator = BulkValidator(flow, "demo", NOW)
    assert len(validator.prepare(twice).events) == 3
    # the second close landed where the machine sends it: nothing can be corrected after it
    with pytest.raises(StepRefused, match="Case file is Personal data erased") as refused:
        validator.prepare(_bulk_case("open_case", "close_case", "close_case", "correct_subject"))
    assert refused.value.step == 3


def test_replay_reads_its_table_from_the_machines() -> None:
    flow = workflow_engine()
    flow.machine("case", 1).add_transition("close_case", "closed", "erased")
    assert flow.replay_table()[("case", 1, "close_case")] == (
        {"open": "closed", "closed": "erased"},
        "none",
    )
    state: dict[str, str] = {}
    for action in ("open_case", "close_case", "close_case"):
        flow.apply(state, "case", 1, 0, action)
    assert state == {"case": "erased"}
