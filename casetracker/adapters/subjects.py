"""The subject's personal data, kept outside the hash chain so it can be corrected or erased.

The chain hashes ``HMAC-SHA256(salt, field || value)`` for each personal field, with a random salt
per subject kept here beside the values.  While the record exists, ``verify`` can prove that the
values on file are the ones the log last recorded; once erased (values and salt destroyed) the
digests left in the chain cannot be reversed or guessed from a list of names, and every chain
still verifies.  This was chosen over per-subject encryption keys because a correction is then a
plain new event, and nothing in the log needs a key to be read.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters.tables import SUBJECTS
from casetracker.domain.errors import Refused
from casetracker.integrity.encoding import canonical_json
from casetracker.integrity.personal_digests import digests


def record(conn: Connection, case_id: str, values: dict[str, Any]) -> dict[str, str]:
    """Store (or update) personal values; returns the digests the event must carry."""
    row = conn.execute(sa.select(SUBJECTS).where(SUBJECTS.c.case_id == case_id)).first()
    if row is not None and row.erased:
        raise Refused(f"the personal data of case {case_id} was erased on {row.erased}")
    if row is None:
        salt = secrets.token_hex(32)
        data: dict[str, Any] = {}
    else:
        salt, data = row.salt, json.loads(row.data or "{}")
    data.update(values)
    if row is None:
        conn.execute(
            SUBJECTS.insert().values(case_id=case_id, salt=salt, data=canonical_json(data))
        )
    else:
        conn.execute(
            SUBJECTS.update().where(SUBJECTS.c.case_id == case_id).values(data=canonical_json(data))
        )
    return digests(salt, values)


def erase(conn: Connection, case_id: str, when: str) -> None:
    conn.execute(
        SUBJECTS.update()
        .where(SUBJECTS.c.case_id == case_id)
        .values(salt=None, data=None, erased=when)
    )


def read(conn: Connection, case_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(values, erased_at)``: values is None once erased or if none were ever recorded."""
    row = conn.execute(sa.select(SUBJECTS).where(SUBJECTS.c.case_id == case_id)).first()
    if row is None:
        return None, None
    return (json.loads(row.data) if row.data else None), row.erased


def clean_up(engine: Engine) -> None:
    """Leave no copy of erased values behind the database: on SQLite every connection deletes
    securely (``PRAGMA secure_delete``, which zeroes freed space), and a checkpoint copies the
    write-ahead log into the file and truncates it, since its frames hold older page images.
    On PostgreSQL an erased row's old version stays in the table's pages, invisible to every
    query, until ``VACUUM`` marks its space free for reuse (run here, after the erasure has
    committed; a role that does not own the table gets a warning and autovacuum does it)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM subjects")
