"""Setting a database up and opening it: creating or upgrading it (``casetracker init``), the
application role's grants on PostgreSQL, the refusal ``init`` makes before creating anything, the
schema revision it reports an upgrade to, and the check the terminal UI makes before it starts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from casetracker.adapters import organisation_log, read_model_format, read_models
from casetracker.adapters.database import (
    DatabaseInfo,
    make_engine,
    read_transaction,
    sqlite_path,
    write_transaction,
)
from casetracker.adapters.schema import (
    GRANT_NEEDS_POSTGRESQL,
    Initialised,
    grant_app_role,
    head_revision,
    initialise,
    read_info,
    record_action_roles,
)
from casetracker.adapters.users import save_user, seed_users
from casetracker.domain.errors import CasetrackerError, DatabaseError, UsageError
from casetracker.services.registry import organisation

__all__ = [
    "create_database",
    "grant_application_role",
    "head_revision",
    "open_database",
    "require_database",
    "require_grant_target",
]


def require_grant_target(url: str) -> None:
    """Refuse ``--grant-to`` on anything but PostgreSQL, before anything is created."""
    if not url.startswith("postgresql"):
        raise UsageError(GRANT_NEEDS_POSTGRESQL)


def require_database(url: str) -> None:
    """Refuse, with ``DatabaseError``, unless a casetracker database answers at ``url``."""
    engine, _ = open_database(url)
    engine.dispose()


def open_database(url: str) -> tuple[Engine, DatabaseInfo]:
    """Connect to an existing casetracker database, refusing anything else untouched."""
    path = sqlite_path(url) if url.startswith("sqlite") else None
    if url.startswith("sqlite") and (path is None or not path.exists()):
        raise DatabaseError(
            f"no database at {path}: create one with `casetracker init` (or try `casetracker demo`)"
        )
    engine = make_engine(url)
    try:
        with read_transaction(engine) as conn:
            info = read_info(conn)
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot read the database: {exc.orig}") from None
    except CasetrackerError:
        engine.dispose()
        raise
    return engine, info


def create_database(
    url: str, realm: str = "live", admin_roles: tuple[str, ...] = ("admin",)
) -> Initialised:
    """Create (or upgrade) a database; the first user is whoever created it."""
    from casetracker.adapters.users import login_name

    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    with _engine_for(url, "cannot initialise the database") as engine:
        done = initialise(engine, realm)
        record_action_roles(engine, _action_roles())
        if done.created:
            with write_transaction(engine) as conn:
                if realm == "live":
                    save_user(conn, login_name(conn), login_name(conn), admin_roles)
                else:
                    seed_users(conn, realm)
        with write_transaction(engine) as conn:  # the admin at init records the file in use
            organisation_log.record_if_changed(conn, organisation(), login_name(conn))
        return done._replace(read_models_rederived=_read_models_current(engine, done.created))


def _read_models_current(engine: Engine, created: bool) -> bool:
    """Derive every read model again when its rows were derived by an older release's rules
    (``read_model_format``); True if that was needed.  Only ``init`` does it: the owner runs
    it after installing a release, and on PostgreSQL only the owner may write ``meta``."""
    from casetracker.services.registry import workflow_engine

    if not created:
        with read_transaction(engine) as conn:
            if read_model_format.recorded(conn) == read_model_format.FORMAT:
                return False
        read_models.rebuild(engine, workflow_engine())
    with write_transaction(engine) as conn:
        read_model_format.record(conn)
    return not created


def _action_roles() -> list[tuple[str, int, str, str]]:
    """Every (workflow, version, action, role) the shipped definitions allow, for the event
    guard of a PostgreSQL database (``schema.record_action_roles``)."""
    from casetracker.domain.definition_migration import MIGRATE, MIGRATING_ROLES
    from workflows import DEFINITIONS

    allowed = [
        (spec.name, spec.version, action.name, str(role))
        for spec in DEFINITIONS
        for action in spec.actions
        for role in action.roles
    ]
    versions = [(spec.name, spec.version) for spec in DEFINITIONS]
    moves = [  # an instance is moved to any version but a lifecycle's first
        (name, version, MIGRATE, role)
        for name, version in versions
        if any(w == name and v != version for w, v in versions)
        for role in MIGRATING_ROLES
    ]
    return allowed + moves


def grant_application_role(url: str, role: str) -> None:
    """``schema.grant_app_role`` on the database at ``url``, run as its owner."""
    with _engine_for(url, f"cannot grant to {role!r}") as engine:
        grant_app_role(engine, role)


@contextmanager
def _engine_for(url: str, failure: str) -> Iterator[Engine]:
    """An engine for one piece of set-up work, disposed after it; a driver's error becomes
    ``failure`` and what the driver said."""
    engine = make_engine(url)
    try:
        yield engine
    except sa.exc.DatabaseError as exc:
        raise DatabaseError(f"{failure}: {exc.orig}") from None
    finally:
        engine.dispose()
