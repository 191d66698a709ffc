"""Random actions, by roles allowed to take them, at random effective times, per lifecycle and
for a whole case.

Invariants after every step: replaying the log gives the live state (projection and cached
view alike); a refused action leaves no event; at the end every chain verifies.
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from casetracker.domain.case_view import Attempt, CaseView
from casetracker.domain.effective_time import parse
from casetracker.domain.errors import CasetrackerError
from casetracker.domain.identity import SEEDED_USERS
from casetracker.domain.rules.hosol import HOSOL_CATEGORIES
from casetracker.domain.vocabulary import ActionSpec, FieldSpec, FieldType, Role, WorkflowSpec
from casetracker.services.cases import Casetracker
from casetracker.services.registry import organisation
from casetracker.services.setup import create_database
from workflows import DEFINITIONS

FORCES = ["MPS"]  # the acting police user's force: another force's arrest is refused (test_forces)
OPEN = "open_case"
NUMBERED = ("encounter", "status_check")  # fields that name an instance of that lifecycle
SUITES = sorted(s.name for f in organisation().forces if f.code in FORCES for s in f.suites)


def field_value(spec: FieldSpec, numbers: dict[str, list[int]]) -> st.SearchStrategy:
    """A value of the field's type; where a guard looks the value up (an encounter's or a status
    check's number, a custody suite of the force, an offence on the Serious Offence List) real
    ones are drawn too, or that guard always refuses."""
    kind = spec.type
    if spec.name == "force":
        return st.sampled_from(FORCES)
    if numbers.get(spec.name):
        return st.sampled_from(numbers[spec.name]) | st.integers(0, 4)
    if spec.name == "custody_suite":
        return st.sampled_from(SUITES) | st.text(string.ascii_letters, min_size=1, max_size=6)
    if spec.name == "conviction_categories":
        return st.lists(st.sampled_from(sorted(HOSOL_CATEGORIES)), max_size=2) | st.lists(
            st.text(string.ascii_letters, min_size=1, max_size=6), max_size=2
        )
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


def fields_for(
    action: ActionSpec, numbers: dict[str, list[int]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Every required field, and each optional one half the time."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        chosen = [f for f in action.fields if f.required or draw(st.booleans())]
        return {f.name: draw(field_value(f, numbers)) for f in chosen}

    return build()


EFFECTIVE = st.one_of(
    st.dates(date(2010, 1, 1), date(2016, 12, 31)).map(date.isoformat),
    st.just("now"),
    st.sampled_from(["2013-07", "2015-07-03..2015-10-05"]),
)


def case_machine(
    services: dict[str, Casetracker], specs: list[WorkflowSpec], reached: set[str]
) -> type[RuleBasedStateMachine]:
    """A state machine over one database; each example works on a new case in it.

    Each step mostly takes an action the case's state allows now and that it has not recorded
    yet (so runs go deep into the lifecycles instead of bouncing off the state check or going
    round one loop), sometimes any action at all; the role
    is always one the action allows, since role refusals are tested in ``test_engine``.  Every
    action recorded is added to ``reached``.
    """
    actions = {a.name: a for s in specs for a in s.actions if a.name != OPEN}
    flow = services["auditor"].flow

    def preview(workflow: str, number: int, action: str, role: str) -> Attempt:
        now = datetime.now(UTC)
        return Attempt(workflow, number, action, {}, parse("now", now), role, now, preview=True)

    class CaseMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.case_id: str | None = None
            self.view = CaseView("")
            self.events = 0
            self.taken: set[str] = set()  # actions this case has recorded

        @rule()
        @precondition(lambda self: self.case_id is None)
        def open(self) -> None:
            result = services["police"].open_case({"name": "Random Subject", "force": "MPS"})
            self.case_id, self.events = result.case_id, 1
            reached.add(OPEN)

        @rule(data=st.data(), effective=EFFECTIVE)
        @precondition(lambda self: self.case_id is not None)
        def act(self, data: st.DataObject, effective: str) -> None:
            fitting = {
                o.spec.name for o in flow.options(self.view, "admin", preview) if o.state_allows
            } & actions.keys()
            pool = sorted(fitting - self.taken) or sorted(fitting)
            any_action = not pool or data.draw(st.integers(0, 3), label="any action") == 3
            name = data.draw(st.sampled_from(sorted(actions) if any_action else pool))
            action = actions[name]
            role = data.draw(st.sampled_from([r.value for r in action.roles]), label="role")
            numbers = {kind: [i.number for i in self.view.of(kind)] for kind in NUMBERED}
            fields = data.draw(fields_for(action, numbers), label="fields")
            try:
                services[role].act(self.case_id, name, fields, effective)
            except CasetrackerError:  # refused or malformed: must leave no trace
                pass
            else:
                self.events += 1
                self.taken.add(name)
                reached.add(name)
            assert self._count() == self.events  # a refused action leaves no event

        @invariant()
        def replay_equals_live_state(self) -> None:
            if self.case_id is None:
                return
            ct = services["auditor"]
            self.view, _ = ct.replay(self.case_id)
            live = ct.store.case_head(self.case_id).state
            assert {k: i.state for k, i in self.view.instances.items()} == live
            for service in services.values():
                cached = service._views.get(self.case_id)
                if cached is not None and cached.version == self.view.version:
                    assert {k: i.state for k, i in cached.instances.items()} == live

        def _count(self) -> int:
            with services["auditor"].engine.connect() as conn:
                return int(
                    conn.execute(
                        sa.text("SELECT count(*) FROM events WHERE case_id = :c"),
                        {"c": self.case_id},
                    ).scalar_one()
                )

    return CaseMachine


def _run(tmp_path, specs: list[WorkflowSpec], examples: int, steps: int) -> set[str]:
    """Run the machine; returns the actions it recorded at least once."""
    url = f"sqlite:///{tmp_path / 'prop.db'}"
    # A demo database, each role its seeded user (the police one of the MPS): in a live one a
    # single account holds every role, and four eyes refuses it the actions a second person
    # authorises (detention, removal directions, a PACE extension), and all that follows them.
    create_database(url, "demo")
    reached: set[str] = set()
    services = {
        role: Casetracker(url, as_user=user, role=role)
        for role, (user, _) in SEEDED_USERS.items()
        if role != Role.TRAINER
    }
    machine = case_machine(services, specs, reached)
    try:
        machine.TestCase.settings = settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,  # each step writes to a database on a shared, slow machine
            database=None,  # derandomized: the example database would add nothing
            derandomize=True,  # the same runs every time, so the coverage floor below is stable
            suppress_health_check=[
                # each step is a committed database write and a full replay: that is the point
                HealthCheck.too_slow,
            ],
        )
        machine.TestCase().runTest()
        report = services["auditor"].verify()
        assert report.ok, report.as_dict()
    finally:
        for service in services.values():
            service.close()
    return reached


# The work lifecycle (owners of queue items, passed deadlines) is no part of the person's story
# and takes no random field values: its rules are tested in test_work_management.
# Nor are four-eyes proposals, decided by two people: tested in test_four_eyes.
STORY = [s for s in DEFINITIONS if s.name not in ("work", "authorisation")]


@pytest.mark.parametrize("spec", [s for s in STORY if s.name != "case"], ids=lambda s: s.name)
def test_each_lifecycle_under_random_actions(spec, tmp_path):
    related = [s for s in DEFINITIONS if s.name in {spec.name, "encounter", "case"}]
    _run(tmp_path, related, examples=6, steps=25)


def test_a_whole_case_under_random_actions(tmp_path):
    """Explores the lifecycles, not the role check: at least 72% of all actions get recorded.

    The floor was 80% before the rules that look a value up in another record or in the
    organisation file (DVA access per role, CID at the suite, the Home Office's own ACRO check,
    London's routing with an MPS officer): random field values rarely satisfy them, so a random
    walk reaches 76% of the actions; each of those rules has its own table test (test_rules_*).
    """
    every = {a.name for s in STORY for a in s.actions}
    reached = _run(tmp_path, STORY, examples=60, steps=100)
    missed = sorted(every - reached)
    assert len(reached) >= 0.72 * len(every), f"reached {len(reached)}/{len(every)}; not {missed}"
