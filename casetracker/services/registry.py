"""The one workflow engine of the process, built from every definition in ``workflows``."""

from __future__ import annotations

from functools import cache

from casetracker.domain.engine import WorkflowEngine


@cache
def workflow_engine() -> WorkflowEngine:
    from casetracker.domain.organisation import Organisation
    from casetracker.domain.rules.guards import GUARDS, GuardContext
    from workflows import DEFINITIONS

    org = Organisation.default()
    return WorkflowEngine(
        DEFINITIONS,
        GUARDS,
        lambda view, attempt: GuardContext(view, attempt, org),
    )
