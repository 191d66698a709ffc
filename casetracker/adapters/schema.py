"""Creating, upgrading and recognising casetracker databases (Alembic owns every schema change)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters.database import APPLICATION, DatabaseInfo, enable_wal, write_transaction
from casetracker.adapters.tables import META
from casetracker.domain.clock import utc_now_text
from casetracker.domain.errors import DatabaseError

REALMS = ("live", "demo", "training")
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def read_info(conn: Connection) -> DatabaseInfo:
    """The database's own facts; refuses one that is not ours or not at our schema version."""
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    if "meta" not in tables or "alembic_version" not in tables:
        raise DatabaseError(
            "this is not a casetracker database (run `casetracker init` to create one)"
            if not tables
            else "this database belongs to something else: it has no casetracker metadata"
        )
    meta: dict[str, str] = {key: value for key, value in conn.execute(sa.select(META))}
    if meta.get("application") != APPLICATION:
        raise DatabaseError(
            "this database belongs to something else: it has no casetracker metadata"
        )
    revision = current_revision(conn)
    if revision not in _known_revisions():
        raise DatabaseError(
            f"this database has schema version {revision}, newer than this casetracker knows "
            f"({head_revision()}): upgrade casetracker"
        )
    if revision != head_revision():
        raise DatabaseError(
            f"this database has schema version {revision}; run `casetracker init` to upgrade it "
            f"to {head_revision()}"
        )
    facts = ("realm", "created", "database_id")
    lost = [key for key in facts if not isinstance(meta.get(key), str) or not meta[key]]
    if lost:  # written by init and never changed: removed by someone writing the file
        raise DatabaseError(
            f"this database's metadata has no {' or '.join(lost)}: the file was altered "
            "(restore the latest backup)"
        )
    return DatabaseInfo(*(meta[key] for key in facts))


class Initialised(NamedTuple):
    info: DatabaseInfo
    created: bool
    upgraded_from: str | None  # the schema revision it had, when this brought it up to date
    read_models_rederived: bool = False  # derived by an older release's rules, so again


def initialise(engine: Engine, realm: str = "live") -> Initialised:
    """Create the schema or bring it up to date.

    An existing database keeps its realm: a live database can never be turned into a training
    one (or back) by running init again.
    """
    if realm not in REALMS:
        raise DatabaseError(f"realm must be one of {', '.join(REALMS)}")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    created = not tables
    if tables and "meta" not in tables:
        raise DatabaseError(
            "this database belongs to something else: it has no casetracker metadata"
        )
    if created:
        enable_wal(engine)
    with write_transaction(engine) as conn:
        revision = current_revision(conn) if not created else None
        if revision is not None and revision not in _known_revisions():
            raise DatabaseError(
                f"this database has schema version {revision}, newer than this casetracker "
                f"knows ({head_revision()}): upgrade casetracker"
            )
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        if created:
            conn.execute(
                META.insert(),
                [
                    {"key": "application", "value": APPLICATION},
                    {"key": "realm", "value": realm},
                    {"key": "created", "value": utc_now_text()},
                    {"key": "database_id", "value": str(uuid.uuid4())},
                ],
            )
        info = read_info(conn)
    upgraded = revision if revision is not None and revision != head_revision() else None
    return Initialised(info, created, upgraded)


GUARD_SCHEMA = "casetracker_guard"  # PostgreSQL: the guards' own tables (migration 0012)


def record_action_roles(engine: Engine, allowed: Iterable[tuple[str, int, str, str]]) -> None:
    """Give PostgreSQL's event guard the workflow definitions' roles: each ``(workflow,
    version, action, role)`` that may be recorded, replacing what an earlier ``init`` wrote.

    The guard refuses an event of a member of the application role whose action its role may
    not take; the rules live in the definitions (Python), so ``init``, which the owner runs
    after installing a new casetracker, copies them.  SQLite has no guard to give them to.
    """
    if engine.dialect.name != "postgresql":
        return
    table = sa.table(
        "action_roles",
        sa.column("workflow"),
        sa.column("version"),
        sa.column("action"),
        sa.column("role"),
        schema=GUARD_SCHEMA,
    )
    rows = [
        {"workflow": workflow, "version": version, "action": action, "role": role}
        for workflow, version, action, role in set(allowed)
    ]
    with write_transaction(engine) as conn:
        conn.execute(table.delete())
        if rows:
            conn.execute(table.insert(), rows)


APP_GRANTS = {
    "events": "SELECT, INSERT",
    "access_log": "SELECT, INSERT",
    "merkle_nodes": "SELECT, INSERT",  # the logs' Merkle trees, append-only (migration 0010)
    "organisation_versions": "SELECT, INSERT",  # append-only chain (migration 0013)
    "cases": "SELECT, INSERT, UPDATE, DELETE",
    "subjects": "SELECT, INSERT, UPDATE",
    # erasable free text and justifications: inserted, or deleted by an erasure (migration 0007)
    "subject_values": "SELECT, INSERT, DELETE",
    # the subjects' blind search index: rewritten with the record, deleted by erasure (0016);
    # its tokens read only through casetracker_search_cases and _rows (0034)
    "subject_search": "SELECT (case_id), INSERT, DELETE",
    "access_justifications": "SELECT, INSERT, DELETE",
    # written only through casetracker_save_user, which lets an active admin in (migration 0006)
    "users": "SELECT",
    "meta": "SELECT",
    "alembic_version": "SELECT",
    # read models: derived from the log, rewritten by every action and by `rebuild`
    "worklist": "SELECT, INSERT, UPDATE, DELETE",
    "deadlines": "SELECT, INSERT, UPDATE, DELETE",  # pending deadlines (migration 0009)
    "mi_arrests": "SELECT, INSERT, UPDATE, DELETE",
    "mi_people": "SELECT, INSERT, UPDATE, DELETE",
    "mi_referrals": "SELECT, INSERT, UPDATE, DELETE",
    "mi_spells": "SELECT, INSERT, UPDATE, DELETE",
    "mi_high_harm": "SELECT, INSERT, UPDATE, DELETE",
    "flow_steps": "SELECT, INSERT, UPDATE, DELETE",  # the process map's read model (0017)
}


GRANT_NEEDS_POSTGRESQL = "--grant-to is for PostgreSQL; a SQLite file is protected by its triggers"


def grant_app_role(engine: Engine, role: str) -> None:
    """Give a PostgreSQL login role exactly what the application needs, and nothing that edits
    history (what it held before is revoked first).

    The role must not own the tables (an owner could drop the append-only triggers); run this as
    the owner after ``init``.  See docs/postgresql.md.
    """
    if engine.dialect.name != "postgresql":
        raise DatabaseError(GRANT_NEEDS_POSTGRESQL)
    if not role.replace("_", "").isalnum():
        raise DatabaseError(f"{role!r} is not a plain role name")
    with write_transaction(engine) as conn:
        conn.exec_driver_sql(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        for table, privileges in APP_GRANTS.items():
            conn.exec_driver_sql(f'REVOKE ALL ON TABLE "{table}" FROM "{role}"')
            conn.exec_driver_sql(f'GRANT {privileges} ON TABLE "{table}" TO "{role}"')
