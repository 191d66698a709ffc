"""The access log: every consultation and disclosure of a case, and every refused attempt.

Police data law (Data Protection Act 2018 s.62) expects logs of who consulted or disclosed
records, not only of who changed them.  The log is append-only in the database and hash-chained
like the event log, in one global chain.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.tables import ACCESS_LOG
from casetracker.domain import clock
from casetracker.domain.access import AccessEntry
from casetracker.integrity.batch_checks import access_log_intact
from casetracker.integrity.encoding import (
    ACCESS_FIELDS,
    GENESIS,
    access_hash,
    canonical_json,
    check_text,
)

_COLUMNS = [ACCESS_LOG.c[name] for name in (*ACCESS_FIELDS, "hash")]


def append(
    conn: Connection,
    *,
    user: str,
    role: str,
    action: str,
    case_id: str = "",
    justification: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessEntry:
    """Record one access; the caller's write transaction serialises the chain."""
    last = conn.execute(
        sa.select(ACCESS_LOG.c.position, ACCESS_LOG.c.hash)
        .order_by(ACCESS_LOG.c.position.desc())
        .limit(1)
    ).first()
    position, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    values = (
        position,
        clock.utc_now_text(),
        check_text("user", user),
        check_text("role", role),
        check_text("action", action),
        check_text("case id", case_id),
        check_text("justification", " ".join(justification.split())),
        canonical_json(detail or {}),
        prev,
    )
    entry = AccessEntry(*values, access_hash(values))
    conn.execute(ACCESS_LOG.insert().values(**entry.as_dict()))
    return entry


def entries(
    conn: Connection, case_id: str | None = None, limit: int | None = None
) -> list[AccessEntry]:
    query = sa.select(*_COLUMNS).order_by(ACCESS_LOG.c.position.desc())
    if case_id is not None:
        query = query.where(ACCESS_LOG.c.case_id == case_id)
    if limit is not None:
        query = query.limit(limit)
    return [AccessEntry(*row) for row in conn.execute(query)][::-1]


def verify(conn: Connection) -> list[str]:
    """Problems in the access log's chain, first one per kind; empty when intact.

    A sweep in whole batches first (``chain_sweep``); entry by entry only to say what is wrong.
    """
    if access_log_intact(conn.connection.dbapi_connection):
        return []
    problems: list[str] = []
    prev, expected = GENESIS, 1
    for row in conn.execute(sa.select(*_COLUMNS).order_by(ACCESS_LOG.c.position)):
        entry = AccessEntry(*row)
        if entry.position != expected:
            problems.append(f"access log: entry {expected} is missing (next is {entry.position})")
            break
        if entry.prev_hash != prev:
            problems.append(f"access log: entry {entry.position} does not link to the one before")
            break
        values = tuple(getattr(entry, name) for name in ACCESS_FIELDS)
        if access_hash(values) != entry.hash:
            problems.append(f"access log: entry {entry.position} was altered")
            break
        prev, expected = entry.hash, expected + 1
    return problems
