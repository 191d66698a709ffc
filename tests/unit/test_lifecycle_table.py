"""The definitions in ``workflows/`` and the engine's decisions, each against the hand-written
table in ``tests.unit.lifecycle_table`` (an independent statement of the report's rules).

One test per lifecycle for each side, collecting every mismatch so that a failure lists them all;
the rows the table disputes are strict expected failures, one test each.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import workflows
from casetracker.domain.case_view import Attempt, CaseView, Instance
from casetracker.domain.effective_time import parse
from casetracker.domain.vocabulary import NEW, Role, WorkflowSpec
from casetracker.services.registry import workflow_engine
from tests.unit.lifecycle_table import DISPUTED, TABLE, Lifecycle, Row

NOW = datetime(2016, 6, 24, 12, tzinfo=UTC)
FLOW = workflow_engine()
NAMES = list(TABLE)


def _undisputed(name: str) -> list[Row]:
    return [row for row in TABLE[name].rows if (name, row.action) not in DISPUTED]


def _row(name: str, action: str) -> Row:
    return next(row for row in TABLE[name].rows if row.action == action)


def _view_in(spec: WorkflowSpec, state: str) -> tuple[CaseView, int]:
    """A case whose only instance of ``spec`` is in ``state`` (NEW: none started yet)."""
    number = 1 if spec.many else 0
    if state == NEW:
        return CaseView("C-test"), number
    instance = Instance(spec.name, number, state, version=spec.version)
    return CaseView("C-test", {instance.key: instance}), number


def _attempt(name: str, number: int, action: str, role: str) -> Attempt:
    # preview: guards that wait for form fields stay quiet; only state and role are at issue here
    return Attempt(name, number, action, {}, parse("2016-06-24", NOW), role, NOW, True)


def _rules_blocking(name: str, state: str, action: str, role: Role) -> set[str]:
    view, number = _view_in(workflows.latest(name), state)
    return {b.rule for b in FLOW.check(view, _attempt(name, number, action, role.value))}


def _definition_mismatches(name: str, rows: list[Row]) -> list[str]:
    spec = workflows.latest(name)
    out = []
    for row in rows:
        action = spec.action(row.action)
        if action is None:
            out.append(f"{row.action}: not defined")
            continue
        if set(action.sources) != set(row.sources):
            out.append(f"{row.action}: sources {sorted(action.sources)} != {sorted(row.sources)}")
        if action.dest != row.dest:
            out.append(f"{row.action}: leads to {action.dest}, table says {row.dest}")
        if set(action.roles) != set(row.roles):
            out.append(f"{row.action}: roles {sorted(action.roles)} != {sorted(row.roles)}")
    return out


def _engine_mismatches(name: str, life: Lifecycle, rows: list[Row]) -> list[str]:
    out = []
    states = [*life.states, NEW] if life.many else list(life.states)
    for row in rows:
        for state in states:
            refused = "state" in _rules_blocking(name, state, row.action, row.roles[0])
            if refused == (state in row.sources):
                out.append(f"{row.action} from {state}: {'refused' if refused else 'allowed'}")
        for role in Role:
            refused = "role" in _rules_blocking(name, row.sources[0], row.action, role)
            if refused == (role in row.roles):
                out.append(f"{row.action} by {role}: {'refused' if refused else 'allowed'}")
        for source in row.sources:
            view, number = _view_in(workflows.latest(name), source)
            try:
                landed = FLOW.fire(view, _attempt(name, number, row.action, row.roles[0].value))
            except Exception as refused:  # any refusal is a mismatch to list
                out.append(f"{row.action} from {source} will not fire: {refused}")
                continue
            if landed != row.dest:
                out.append(f"{row.action} from {source} lands in {landed}, not {row.dest}")
    return out


def test_the_table_covers_every_lifecycle_and_action() -> None:
    defined = {spec.name: {a.name for a in spec.actions} for spec in workflows.DEFINITIONS}
    written = {name: {row.action for row in life.rows} for name, life in TABLE.items()}
    assert written == defined


@pytest.mark.parametrize("name", NAMES)
def test_definition_agrees_with_the_table(name: str) -> None:
    life, spec = TABLE[name], workflows.latest(name)
    assert [s.name for s in spec.states] == list(life.states)
    assert spec.many == life.many
    if not life.many:
        assert spec.initial == life.initial
    leaving = {source for row in _undisputed(name) for source in row.sources}
    terminal = {s.name for s in spec.states if s.terminal}
    disputed = {s for row in life.rows if (name, row.action) in DISPUTED for s in row.sources}
    assert terminal - disputed == set(life.states) - leaving - disputed, "terminal: nothing leaves"
    assert _definition_mismatches(name, _undisputed(name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_engine_decides_as_the_table_says(name: str) -> None:
    """From every state and for every role: allowed exactly where the table allows, and fired
    from each source it lands where the table says."""
    assert _engine_mismatches(name, TABLE[name], _undisputed(name)) == []


def test_disputed_rows_are_still_disputed() -> None:
    """Each row of ``DISPUTED`` is the table's reading of the report, which the definition does
    not (yet) follow: once the definition follows it, this fails and the row leaves DISPUTED,
    as it then joins the tests above.  (Empty since the High Harm row was settled, ¶3.4.)"""
    for (name, action), why in DISPUTED.items():
        row = _row(name, action)
        followed = not _definition_mismatches(name, [row])
        followed = followed and not _engine_mismatches(name, TABLE[name], [row])
        assert not followed, f"{name}.{action} now follows the table ({why}): undispute it"
