"""The access log: every consultation and disclosure of a case, and every refused attempt.

Police data law (Data Protection Act 2018 s.62) expects logs of who consulted or disclosed
records, not only of who changed them.  The log is append-only in the database and hash-chained
like the event log, in one global chain.

A justification is what a person typed, so it is personal data like a note (issue 13): the
entry hashes ``hmac-sha256:`` and ``HMAC-SHA256(salt, "justification" 0x1F JSON text)`` (format
``casetracker/access/2``), and the text and its salt are a row of ``access_justifications``,
deleted when the subject of the entry's case is erased (``subjects.erase``).  Entries from
before migration 0007 keep their text in the chain and verify as they always did.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters import merkle_tree
from casetracker.adapters.subjects import EXPORT_ACTION
from casetracker.adapters.tables import ACCESS_JUSTIFICATIONS, ACCESS_LOG, SUBJECTS
from casetracker.domain import clock
from casetracker.domain.access import AccessEntry
from casetracker.integrity.batch_checks import access_log_intact
from casetracker.integrity.encoding import (
    ACCESS_FIELDS,
    ACCESS_FORMAT_1,
    GENESIS,
    JUSTIFICATION_PREFIX,
    access_format,
    access_hash,
    canonical_json,
    check_text,
)
from casetracker.integrity.personal_digests import digest

_COLUMNS = [ACCESS_LOG.c[name] for name in (*ACCESS_FIELDS, "hash")]
JUSTIFICATION = "justification"  # the name its digest is keyed with, as a personal field's
ERASED = "[erased with the subject]"


def append(
    conn: Connection,
    *,
    user: str,
    role: str,
    action: str,
    case_id: str = "",
    justification: str = "",
    detail: dict[str, Any] | None = None,
    salt: str | None = None,
) -> AccessEntry:
    """Record one access, returned as hashed; the caller's write transaction serialises it.

    ``salt`` (else a new one) digests the justification: the entries of one disclosure share
    one, so they hash one digest, by which an erasure finds all of them (``subjects.erase``).
    """
    last = conn.execute(
        sa.select(ACCESS_LOG.c.position, ACCESS_LOG.c.hash)
        .order_by(ACCESS_LOG.c.position.desc())
        .limit(1)
    ).first()
    position, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    text = check_text("justification", " ".join(justification.split()))
    salt = salt or secrets.token_hex(32)
    values = (
        position,
        clock.utc_now_text(),
        check_text("user", user),
        check_text("role", role),
        check_text("action", action),
        check_text("case id", case_id),
        JUSTIFICATION_PREFIX + digest(salt, JUSTIFICATION, text) if text else "",
        canonical_json(detail or {}),
        prev,
    )
    entry = AccessEntry(*values, access_hash(values))
    conn.execute(ACCESS_LOG.insert().values(**entry.as_dict()))
    merkle_tree.append(conn, merkle_tree.ACCESS_LOG, position - 1, [entry.hash])
    if text:
        conn.execute(
            ACCESS_JUSTIFICATIONS.insert().values(
                position=position, case_id=case_id, salt=salt, text=text
            )
        )
    return entry


ERASE_REASON_ACTION = "erase-reason"  # the access-log action of an admin's erasure of a reason


def caseless_reason(conn: Connection, position: int) -> bool:
    """Whether entry ``position`` keeps a reason given for a read that concerns no case (a
    sample's, for one): the reasons no subject's erasure reaches."""
    found = conn.execute(
        sa.select(ACCESS_JUSTIFICATIONS.c.case_id).where(
            ACCESS_JUSTIFICATIONS.c.position == position
        )
    ).first()
    return found is not None and found[0] == ""


def erase_reason(conn: Connection, *, user: str, role: str, position: int) -> AccessEntry:
    """Delete the kept reason of entry ``position`` and log who did (inside the caller's write
    transaction).  The entry keeps its digest, which nothing can reverse once the salt is
    gone, so the chain still verifies; the entry then shows ``ERASED``."""
    entry = append(
        conn, user=user, role=role, action=ERASE_REASON_ACTION, detail={"position": position}
    )
    conn.execute(ACCESS_JUSTIFICATIONS.delete().where(ACCESS_JUSTIFICATIONS.c.position == position))
    return entry


def entries(
    conn: Connection, case_id: str | None = None, limit: int | None = None
) -> list[AccessEntry]:
    """Entries to show, each justification as typed (``ERASED`` once erased), not its digest."""
    query = (
        sa.select(*_COLUMNS, ACCESS_JUSTIFICATIONS.c.text)
        .outerjoin(ACCESS_JUSTIFICATIONS, ACCESS_JUSTIFICATIONS.c.position == ACCESS_LOG.c.position)
        .order_by(ACCESS_LOG.c.position.desc())
    )
    if case_id is not None:
        query = query.where(ACCESS_LOG.c.case_id == case_id)
    if limit is not None:
        query = query.limit(limit)
    return [_shown(AccessEntry(*row[:-1]), row[-1]) for row in conn.execute(query)][::-1]


def _shown(entry: AccessEntry, text: str | None) -> AccessEntry:
    if access_format(entry.justification) == ACCESS_FORMAT_1:
        return entry  # the text itself, in the chain (before migration 0007), or none
    return replace(entry, justification=ERASED if text is None else text)


def justification_problems(conn: Connection) -> list[str]:
    """Kept justifications that are not the ones their entries hash, first one only."""
    query = (
        sa.select(
            ACCESS_JUSTIFICATIONS.c.position,
            ACCESS_JUSTIFICATIONS.c.case_id,
            ACCESS_JUSTIFICATIONS.c.salt,
            ACCESS_JUSTIFICATIONS.c.text,
            ACCESS_LOG.c.case_id,
            ACCESS_LOG.c.justification,
        )
        .outerjoin(ACCESS_LOG, ACCESS_LOG.c.position == ACCESS_JUSTIFICATIONS.c.position)
        .order_by(ACCESS_JUSTIFICATIONS.c.position)
    )
    for position, case_id, salt, text, logged_case, logged in conn.execute(query):
        try:
            kept = JUSTIFICATION_PREFIX + digest(salt, JUSTIFICATION, text)
        except (TypeError, ValueError):  # a salt that is not hex, a value that is not text
            kept = None
        if (case_id, kept) != (logged_case, logged):
            return [f"access log: the justification kept for entry {position} was altered"]
    missing = conn.execute(_UNERASED_REASON_MISSING).scalar()
    if missing is not None:
        return [
            f"access log: the justification of entry {missing} is gone, but nothing erased "
            "it: it was deleted outside casetracker"
        ]
    return []


def _unerased_reason_missing() -> sa.Select[Any]:
    """The first entry hashing a kept reason (format 2) whose row is gone though no erasure
    took it: a reason goes only with the subject of the entry's case (or, for an export, of
    any case the export took, its entries sharing one digest: ``subjects.erase``), or, with no
    case, by an ``erase-reason`` entry naming it.  A case whose subject record is erased or
    not there (a refused read of no such case; on PostgreSQL, another force's) is given the
    benefit of the doubt."""
    entry, other = ACCESS_LOG.alias("entry"), ACCESS_LOG.alias("other")
    live_subject = sa.exists().where(
        SUBJECTS.c.case_id == other.c.case_id, SUBJECTS.c.erased.is_(None)
    )
    erasable_by = sa.or_(
        other.c.position == entry.c.position,
        sa.and_(
            entry.c.action == EXPORT_ACTION,
            other.c.action == EXPORT_ACTION,
            other.c.justification == entry.c.justification,
        ),
    )
    named = sa.literal('{"position":') + sa.cast(entry.c.position, sa.String) + sa.literal("}")
    erased_by_entry = sa.exists().where(
        other.c.action == ERASE_REASON_ACTION, other.c.case_id == "", other.c.detail == named
    )
    return (
        sa.select(entry.c.position)
        .where(
            entry.c.justification.startswith(JUSTIFICATION_PREFIX),
            ~sa.exists().where(ACCESS_JUSTIFICATIONS.c.position == entry.c.position),
            sa.case(
                (entry.c.case_id == "", ~erased_by_entry),
                else_=~sa.exists().where(erasable_by, ~live_subject),
            ),
        )
        .order_by(entry.c.position)
        .limit(1)
    )


_UNERASED_REASON_MISSING = _unerased_reason_missing()


def verify(conn: Connection) -> list[str]:
    """Problems in the access log's chain, first one per kind; empty when intact.

    A sweep in whole batches first (``chain_sweep``); entry by entry only to say what is wrong.
    """
    if access_log_intact(conn.connection.dbapi_connection):
        return justification_problems(conn)
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
