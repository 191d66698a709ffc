"""The report's two case studies as plain step lists, read from the shipped scenario files.

``casetracker/services/training/data/scenarios/figure-1.yaml`` and ``figure-2.yaml`` are the one
source; the demo database and the unit tests want the steps as dicts (``effective`` canonical text,
``role``, ``workflow``, ``instance`` — "new" starts one, 0 is a one-per-case lifecycle, n the n-th
instance — ``action``, ``fields``, and ``refused``: why the step must be refused, or "" for a
step that is recorded), which this module derives from them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from casetracker.domain.vocabulary import NEW

Step = dict[str, Any]

# Where each figure ends (DOMAIN.md): instance key -> state.
FIGURE_1_ENDS = {
    "detention": "immigration_detention",
    "removal": "deferred",
    "reporting": "directions_issued",
    "etd": "interviewed",
    "leave": "overstayer",
    "barrier#4": "lodged",
}
FIGURE_2_ENDS = {
    "detention": "removed",
    "removal": "removed",
    "etd": "issued",
    "leave": "overstayer",
    "encounter#1": "handed_to_immigration",
}


@cache
def steps(name: str) -> tuple[Step, ...]:
    """A shipped scenario's steps in plain form (the case is opened before the first)."""
    from casetracker.services.registry import workflow_engine
    from casetracker.services.training.scenarios import load

    flow = workflow_engine()
    scenario = load(name)
    out: list[Step] = []
    for step in scenario.steps:
        spec = flow.latest[step.workflow]
        action = spec.action(step.action)
        instance: str | int | None = (
            "new" if action and NEW in action.sources else (step.instance if spec.many else 0)
        )
        out.append(
            {
                "effective": step.effective.text,
                "role": step.role,
                "workflow": step.workflow,
                "instance": instance,
                "action": step.action,
                "fields": dict(step.fields),
                "refused": step.refused,
            }
        )
    return tuple(out)


def __getattr__(name: str) -> list[Step]:
    """``FIGURE_1`` and ``FIGURE_2``, loaded on first use."""
    if name in ("FIGURE_1", "FIGURE_2"):
        return list(steps(name.lower().replace("_", "-")))
    raise AttributeError(name)
