"""The process's one organisation and one workflow engine, built from every definition in
``workflows`` and the organisation file in force."""

from __future__ import annotations

from functools import cache

from casetracker.adapters.organisation_file import configured
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.organisation import Organisation


def organisation() -> Organisation:
    """The organisation the rules and reports run with (``casetracker locate`` shows its file)."""
    return configured()


@cache
def workflow_engine() -> WorkflowEngine:
    return engine_for(organisation())


def engine_for(org: Organisation) -> WorkflowEngine:
    """An engine whose guards read ``org``: the process's own (``workflow_engine``), or a
    what-if organisation's (``casetracker simulate``)."""
    from casetracker.domain.rules.guards import GUARDS, GuardContext
    from workflows import DEFINITIONS

    return WorkflowEngine(
        DEFINITIONS,
        GUARDS,
        lambda view, attempt: GuardContext(view, attempt, org),
    )
