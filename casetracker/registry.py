"""The one workflow engine of the process, built from every definition in ``workflows``."""

from __future__ import annotations

from functools import cache

from casetracker.engine import WorkflowEngine


@cache
def workflow_engine() -> WorkflowEngine:
    from casetracker.organisation import Organisation
    from casetracker.rules.guards import GUARDS, GuardContext
    from workflows import DEFINITIONS

    org = Organisation.default()
    return WorkflowEngine(
        DEFINITIONS,
        GUARDS,
        lambda view, attempt: GuardContext(view, attempt, org),
    )
