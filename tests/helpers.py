"""Small builders the tests share."""

from __future__ import annotations

from casetracker.domain.engine import WorkflowEngine
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from workflows import case_file

CORE_ROLES = ("admin", "police", "immigration_officer", "casework")


def core_engine() -> WorkflowEngine:
    """Only the case-file lifecycle: the store's contract does not depend on any other."""
    return WorkflowEngine([case_file.DEFINITION])


def new_service(
    url: str,
    roles: tuple[str, ...] = CORE_ROLES,
    role: str = "police",
    realm: str = "live",
    workflows: WorkflowEngine | None = None,
) -> Casetracker:
    create_database(url, realm, roles)
    return Casetracker(url, role=role, workflows=workflows or core_engine())
