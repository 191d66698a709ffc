"""Setting a database up and checking it is there, besides ``create_database`` and
``grant_application_role`` (``casetracker.services.cases``): the refusal ``casetracker init``
makes before creating anything, the schema revision it reports an upgrade to, and the check the
terminal UI makes before it starts."""

from __future__ import annotations

from casetracker.adapters.schema import GRANT_NEEDS_POSTGRESQL, head_revision
from casetracker.domain.errors import UsageError
from casetracker.services.cases import open_database

__all__ = ["head_revision", "require_database", "require_grant_target"]


def require_grant_target(url: str) -> None:
    """Refuse ``--grant-to`` on anything but PostgreSQL, before anything is created."""
    if not url.startswith("postgresql"):
        raise UsageError(GRANT_NEEDS_POSTGRESQL)


def require_database(url: str) -> None:
    """Refuse, with ``DatabaseError``, unless a casetracker database answers at ``url``."""
    engine, _ = open_database(url)
    engine.dispose()
