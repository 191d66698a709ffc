"""Random actions by random roles at random effective times, per lifecycle and for a whole case.

Invariants after every step: replaying the log gives the live state (projection and cached
view alike); a refused action leaves no event; at the end every chain verifies.
"""

from __future__ import annotations

import string
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from casetracker.domain.errors import CasetrackerError
from casetracker.domain.vocabulary import FieldSpec, FieldType, Role, WorkflowSpec
from casetracker.services.cases import Casetracker, create_database
from workflows import DEFINITIONS

FORCES = ["MPS", "WMP", "WYP"]


def field_value(spec: FieldSpec) -> st.SearchStrategy:
    kind = spec.type
    if spec.name == "force":
        return st.sampled_from(FORCES)
    if kind == FieldType.TEXT:
        return st.text(string.ascii_letters + " ", min_size=1, max_size=12).filter(str.strip)
    if kind == FieldType.INTEGER:
        return st.integers(0, 4)
    if kind == FieldType.BOOLEAN:
        return st.booleans()
    if kind == FieldType.DATE:
        return st.dates(date(2010, 1, 1), date(2016, 12, 31)).map(date.isoformat)
    if kind == FieldType.DATETIME:
        return st.datetimes(datetime(2010, 1, 1), datetime(2016, 12, 31)).map(
            lambda d: d.replace(microsecond=0).isoformat()
        )
    if kind == FieldType.CHOICE:
        return st.sampled_from(spec.choices)
    if kind == FieldType.CHOICES:
        return st.lists(st.sampled_from(spec.choices), max_size=2)
    return st.lists(st.text(string.ascii_letters, min_size=1, max_size=6), max_size=2)


def action_and_fields(specs: list[WorkflowSpec]) -> st.SearchStrategy:
    choices = [a for s in specs for a in s.actions if a.name != "open_case"]

    @st.composite
    def build(draw):
        action = draw(st.sampled_from(choices))
        fields = {}
        for f in action.fields:
            if f.required or draw(st.booleans()):
                fields[f.name] = draw(field_value(f))
        return action.name, fields

    return build()


EFFECTIVE = st.one_of(
    st.dates(date(2010, 1, 1), date(2016, 12, 31)).map(date.isoformat),
    st.just("now"),
    st.sampled_from(["2013-07", "2015-07-03..2015-10-05"]),
)


def case_machine(url: str, specs: list[WorkflowSpec]) -> type[RuleBasedStateMachine]:
    """A state machine over one database; each example works on a new case in it."""
    services = {r.value: Casetracker(url, role=r.value) for r in Role}
    actions = action_and_fields(specs)

    class CaseMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.case_id: str | None = None
            self.events = 0

        @rule()
        @precondition(lambda self: self.case_id is None)
        def open(self) -> None:
            result = services["police"].open_case({"name": "Random Subject", "force": "MPS"})
            self.case_id, self.events = result.case_id, 1

        @rule(
            role=st.sampled_from([r.value for r in Role if r is not Role.TRAINER]),
            act=actions,
            effective=EFFECTIVE,
        )
        @precondition(lambda self: self.case_id is not None)
        def act(self, role: str, act: tuple[str, dict], effective: str) -> None:
            action, fields = act
            try:
                services[role].act(self.case_id, action, fields, effective)
            except CasetrackerError:  # refused or malformed: must leave no trace
                pass
            else:
                self.events += 1
            assert self._count() == self.events  # a refused action leaves no event

        @invariant()
        def replay_equals_live_state(self) -> None:
            if self.case_id is None:
                return
            ct = services["auditor"]
            view, _ = ct.replay(self.case_id)
            live = ct.store.case_head(self.case_id).state
            assert {k: i.state for k, i in view.instances.items()} == live
            for service in services.values():
                cached = service._views.get(self.case_id)
                if cached is not None and cached.version == view.version:
                    assert {k: i.state for k, i in cached.instances.items()} == live

        def _count(self) -> int:
            with services["auditor"].engine.connect() as conn:
                return conn.execute(
                    sa.text("SELECT count(*) FROM events WHERE case_id = :c"), {"c": self.case_id}
                ).scalar()

    CaseMachine.services = services
    return CaseMachine


def _run(tmp_path, specs: list[WorkflowSpec], examples: int, steps: int) -> None:
    url = f"sqlite:///{tmp_path / 'prop.db'}"
    create_database(url, "live", tuple(r.value for r in Role))
    machine = case_machine(url, specs)
    try:
        machine.TestCase.settings = settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        machine.TestCase().runTest()
        report = machine.services["auditor"].verify()
        assert report.ok, report.as_dict()
    finally:
        for service in machine.services.values():
            service.close()


@pytest.mark.parametrize("spec", [s for s in DEFINITIONS if s.name != "case"], ids=lambda s: s.name)
def test_each_lifecycle_under_random_actions(spec, tmp_path):
    related = [s for s in DEFINITIONS if s.name in {spec.name, "encounter", "case"}]
    _run(tmp_path, related, examples=6, steps=25)


def test_a_whole_case_under_random_actions(tmp_path):
    _run(tmp_path, list(DEFINITIONS), examples=12, steps=40)
