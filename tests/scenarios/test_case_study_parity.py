"""The scenario files and ``casetracker.case_studies`` (used by the demo database and the unit
tests) describe the same two case studies, step for step: neither can drift from the other."""

from __future__ import annotations

from typing import Any

import pytest

from casetracker import case_studies
from casetracker.registry import workflow_engine
from casetracker.scenario_schema import Scenario, load
from casetracker.workflow_spec import NEW


def as_case_study_steps(scenario: Scenario) -> list[dict[str, Any]]:
    """A scenario's steps in ``case_studies``' form (workflow and instance spelt out)."""
    flow = workflow_engine()
    out = []
    for step in scenario.steps:
        spec = flow.latest[step.workflow]
        action = spec.action(step.action)
        assert action is not None
        if NEW in action.sources:
            instance: str | int = "new"
        else:
            instance = step.instance if spec.many else 0
        out.append(
            {
                "effective": step.effective.text,
                "role": step.role,
                "workflow": step.workflow,
                "instance": instance,
                "action": step.action,
                "fields": step.fields,
            }
        )
    return out


@pytest.mark.parametrize(
    ("name", "steps"),
    [("figure-1", case_studies.FIGURE_1), ("figure-2", case_studies.FIGURE_2)],
)
def test_scenario_matches_case_study(name: str, steps: list[dict[str, Any]]) -> None:
    assert as_case_study_steps(load(name)) == steps
