"""An attacker with write access to the database file or server, for the verifier's tests.

The triggers that make the logs append-only are switched off first, as someone with the file
(SQLite) or a superuser (PostgreSQL) could; the verifier must still notice every change.
"""

from __future__ import annotations

import sqlalchemy as sa

from casetracker.integrity.encoding import (
    STORED_FIELDS,
    hashed_values,
    recorded_event,
    stored_values,
)
from casetracker.integrity.event_checks import COLUMNS


def tamper(url: str, *statements: str, params: list[dict] | None = None) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for table in ("events", "access_log", "merkle_nodes"):
                for verb in ("update", "delete"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        else:
            for table in ("events", "access_log", "merkle_nodes"):
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for i, statement in enumerate(statements):
            conn.execute(sa.text(statement), (params or [{}] * len(statements))[i])
        if engine.dialect.name == "postgresql":
            for table in ("events", "access_log", "merkle_nodes"):
                conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    engine.dispose()


def rows(url: str, query: str) -> list[tuple]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(sa.text(query))]
    engine.dispose()
    return found


def set_fields(url: str, at: int, **fields: object) -> None:
    """Change fields of the event at position ``at`` and leave its hash as it was, as someone
    editing the stored columns would (a field inside ``step`` or ``stamp`` changes that column)."""
    (row,) = rows(url, f"SELECT {', '.join(COLUMNS)} FROM events WHERE position = {at}")
    event = recorded_event(row)._replace(**fields)
    stored = dict(zip(STORED_FIELDS, stored_values(hashed_values(event)), strict=True))
    assignments = ", ".join(f"{c} = :{c}" for c in stored)
    tamper(
        url,
        f"UPDATE events SET {assignments} WHERE position = :old",
        params=[{**stored, "old": at}],
    )


def erase_behind(url: str, case_id: str) -> None:
    """Mark a case's subject record erased below every check (no erasure event): what a kept
    view's salt must not outlive."""
    tamper(
        url,
        "UPDATE subjects SET salt = NULL, data = NULL, erased = '2014-01-03T00:00:00Z' "
        "WHERE case_id = :case",
        params=[{"case": case_id}],
    )


def resalt_behind(url: str, case_id: str, salt: str) -> None:
    """Give a case's subject record another salt below every check."""
    tamper(
        url,
        "UPDATE subjects SET salt = :salt WHERE case_id = :case",
        params=[{"salt": salt, "case": case_id}],
    )


def salt_of(url: str, case_id: str) -> str:
    """The salt the case's subject record has."""
    (salt,) = rows(url, f"SELECT salt FROM subjects WHERE case_id = '{case_id}'")[0]
    return str(salt)
