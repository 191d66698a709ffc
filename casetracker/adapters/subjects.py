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
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters import subject_search, wal_checkpoints
from casetracker.adapters.database import driver_sql
from casetracker.adapters.tables import (
    ACCESS_JUSTIFICATIONS,
    ACCESS_LOG,
    SUBJECT_VALUES,
    SUBJECTS,
)
from casetracker.domain.errors import Refused
from casetracker.domain.events import personal_name
from casetracker.integrity.encoding import canonical_json
from casetracker.integrity.personal_digests import digested, digester

_RECORD = sa.select(SUBJECTS.c.salt, SUBJECTS.c.data, SUBJECTS.c.erased)
# The per-action statements, on the driver's cursor (``database.driver_sql`` says why).
_Q_RECORD = "SELECT salt, data, erased FROM subjects WHERE case_id = ?"
_Q_SALT = "SELECT salt, NULL, erased FROM subjects WHERE case_id = ?"
_Q_NEW_RECORD = "INSERT INTO subjects (case_id, salt, data) VALUES (?, ?, ?)"
_Q_OWN_DETAILS = "UPDATE subjects SET data = ? WHERE case_id = ?"
_Q_FREE_TEXT = "INSERT INTO subject_values (case_id, seq, field, value) VALUES (?, ?, ?, ?)"
# One value, only while the record still has the salt its digest is made with and is not erased.
_Q_FREE_TEXT_BESIDE = (
    "INSERT INTO subject_values (case_id, seq, field, value) SELECT ?, ?, ?, ? WHERE EXISTS "
    "(SELECT 1 FROM subjects WHERE case_id = ? AND salt = ? AND erased IS NULL)"
)
# On PostgreSQL the write connection is pipelined (``KeptConnections``): an outcome is there
# only once the pipeline syncs, a wait of its own.  There the same question raises instead
# (migration 0024), so the outcome need not be read: the error comes back where the pipeline
# next syncs (the commit), inside the transaction, which rolls back.
_Q_FREE_TEXT_AS_SEEN = (
    "INSERT INTO subject_values (case_id, seq, field, value) SELECT ?, ?, ?, ? "
    "WHERE casetracker_subject_as_seen(?, ?)"
)
NOT_AS_SEEN = "CTS01"  # the SQLSTATE casetracker_subject_as_seen raises (migration 0024)
# Each salt's digest keyed once and kept (the key set-up was a third of a note's digest) for
# as long as a case view that holds the salt keeps it alive (``kept_digester``): a view folded
# afresh, as after an erasure by another process, lets it go with the salt.  Nothing kept
# here outlives an erasure in this process (``erase`` empties it).
_digesters: weakref.WeakValueDictionary[str, Callable[[str, Any], str]] = (
    weakref.WeakValueDictionary()
)
DIGESTER = "subject_digester"  # the key in ``CaseView.derived`` of the view's own


def record(
    conn: Connection, case_id: str, values: dict[str, Any], salt: str | None = None
) -> tuple[dict[str, str], str, Callable[[str, Any], str]]:
    """Store personal values; returns the digests the event must carry, the record's salt and
    its digester (for the caller's view to keep: held by nothing else, it would be made again).

    The subject's own details (``name``) replace those in the case's record; free text
    (``name@seq``, each event's own) is a new row of ``subject_values``, so a note neither
    reads nor rewrites the notes before it.  ``salt`` is the record's salt as the caller last
    saw it (a salt never changes until erasure destroys it): free text alone is then inserted
    by statements that each insert only while the record has that salt and is not erased, so
    a note needs no read first, and an erasure since, by any process, is still refused.
    On PostgreSQL such a record makes the transaction fail at its commit instead
    (``not_as_seen``): the caller then does it again without ``salt``.
    """
    own, free_text = _split(values)
    if salt is not None and not own:
        rows = _value_rows(case_id, free_text)
        if all(_inserted_beside(conn, row, salt) for row in rows):
            return _digests(salt, values)
        # Nothing inserted: the record is erased, or not as the caller saw it.
        _digesters.pop(salt, None)
    query = _Q_RECORD if own else _Q_SALT
    row = driver_sql(conn, query, (case_id,), "subjects").fetchone()
    if row is not None and row[2]:
        raise Refused(f"the personal data of case {case_id} was erased on {row[2]}")
    if row is None:
        salt = secrets.token_hex(32)
        driver_sql(conn, _Q_NEW_RECORD, (case_id, salt, canonical_json(own)), "subjects")
        subject_search.insert_many(conn, [(case_id, own)])
    else:
        salt = row[0]
        if own:
            data = {**json.loads(row[1] or "{}"), **own}
            driver_sql(conn, _Q_OWN_DETAILS, (canonical_json(data), case_id), "subjects")
            subject_search.replace(conn, case_id, data)
    if free_text:
        rows = _value_rows(case_id, free_text)
        driver_sql(conn, _Q_FREE_TEXT, rows if len(rows) > 1 else rows[0], "subjects")
    return _digests(salt, values)


def _digests(
    salt: str, values: dict[str, Any]
) -> tuple[dict[str, str], str, Callable[[str, Any], str]]:
    """``personal_digests.digests``, keyed by the digester kept for ``salt``; the salt; and
    that digester."""
    keyed = kept_digester(salt)
    return digested(keyed, values), salt, keyed


def kept_digester(salt: str) -> Callable[[str, Any], str]:
    """The salt's digester, kept only while its caller (a case view holding the salt, under
    ``DIGESTER``) holds it: a salt erased by another process is dropped with the view that
    held it, once this process folds the case afresh."""
    keyed = _digesters.get(salt)
    if keyed is None:
        keyed = _digesters[salt] = digester(salt)
    return keyed


def _inserted_beside(conn: Connection, row: tuple[Any, ...], salt: str) -> bool:
    """Insert one free-text row if its record is not erased and has ``salt``; whether it was.
    On SQLite the row count says so (``RETURNING`` cost ~9 µs more a note).  On PostgreSQL
    the insert is queued, not waited for: if the record is not as seen it raises, and the
    transaction fails where the pipeline next syncs (``not_as_seen``)."""
    params = (*row, row[0], salt)
    if conn.dialect.name == "postgresql":
        driver_sql(conn, _Q_FREE_TEXT_AS_SEEN, params, "subjects")
        return True
    return bool(driver_sql(conn, _Q_FREE_TEXT_BESIDE, params, "subjects").rowcount == 1)


def not_as_seen(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL refusing free text beside a record that was erased or has
    another salt than the caller saw (``_inserted_beside``), raised by the driver or wrapped by
    SQLAlchemy.  Nothing of the transaction was written; the caller does it again reading the
    record, having dropped what it kept of it (``forget_salts``)."""
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    return getattr(orig, "sqlstate", None) == NOT_AS_SEEN


def forget_salts() -> None:
    """Drop every keyed digest kept in this process: each holds its salt (an erasure, or a
    salt found not to be the record's)."""
    _digesters.clear()


def write_many(conn: Connection, records: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
    """Store the personal values of new cases, ``(case id, salt, values)`` each, as ``record``
    would have (the bulk path digests them itself)."""
    subject_rows, value_rows, searchable = [], [], []
    for case_id, salt, values in records:
        own, free_text = _split(values)
        subject_rows.append({"case_id": case_id, "salt": salt, "data": canonical_json(own)})
        value_rows += _value_rows(case_id, free_text)
        searchable.append((case_id, own))
    if subject_rows:
        conn.execute(SUBJECTS.insert(), subject_rows)
        subject_search.insert_many(conn, searchable)
    if value_rows:
        driver_sql(conn, _Q_FREE_TEXT, value_rows, "subjects")


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[str, int], Any]]:
    """``(the subject's own details, free text by (field, seq))``."""
    own: dict[str, Any] = {}
    free_text: dict[tuple[str, int], Any] = {}
    for key, value in values.items():
        name, seq = personal_name(key)
        if seq is None:
            own[key] = value
        else:
            free_text[name, seq] = value
    return own, free_text


def _value_rows(case_id: str, free_text: dict[tuple[str, int], Any]) -> list[tuple[Any, ...]]:
    """``subject_values`` rows in column order."""
    return [(case_id, seq, name, canonical_json(value)) for (name, seq), value in free_text.items()]


def erase(conn: Connection, case_id: str, when: str) -> None:
    """Destroy the subject's values, salt, free text and the justifications of reads of the
    case; what the chain holds of them (digests) can then be neither reversed nor guessed.
    No digester kept in this process survives it either: each holds its salt."""
    forget_salts()
    conn.execute(
        SUBJECTS.update()
        .where(SUBJECTS.c.case_id == case_id)
        .values(salt=None, data=None, erased=when)
    )
    conn.execute(SUBJECT_VALUES.delete().where(SUBJECT_VALUES.c.case_id == case_id))
    subject_search.forget(conn, case_id)  # findable by nothing of the person any more
    conn.execute(
        ACCESS_JUSTIFICATIONS.delete().where(
            ACCESS_JUSTIFICATIONS.c.position.in_(_reasons_concerning(case_id))
        )
    )


EXPORT_ACTION = "export"  # the access-log action of an export, one entry per case exported


def _reasons_concerning(case_id: str) -> sa.CompoundSelect:
    """The access-log positions whose kept reasons go with the case's subject: the reasons given
    for reading the case, and the reason of every export that took it, kept beside each case
    the export took (one reason for the whole disclosure, which may name this subject).  The
    entries of one export hash one digest of its reason (``disclosure.export_bundle`` gives
    them one salt), which no other entry shares."""
    mine = ACCESS_LOG.alias("mine")
    sibling = ACCESS_LOG.alias("sibling")
    exported_with = (
        sa.select(sibling.c.position)
        .join(
            mine,
            (mine.c.justification == sibling.c.justification) & (mine.c.action == sibling.c.action),
        )
        .where(
            mine.c.case_id == case_id,
            mine.c.action == EXPORT_ACTION,
            mine.c.justification != "",
        )
    )
    own = sa.select(ACCESS_JUSTIFICATIONS.c.position).where(
        ACCESS_JUSTIFICATIONS.c.case_id == case_id
    )
    return own.union(exported_with)


def read(conn: Connection, case_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(values, erased_at)``: values is None once erased or if none were ever recorded.

    Values holds the subject's own details under their names and free text under
    ``name@seq``.
    """
    row = conn.execute(_RECORD.where(SUBJECTS.c.case_id == case_id)).first()
    if row is None:
        return None, None
    if not row.data:
        return None, row.erased
    values: dict[str, Any] = json.loads(row.data)
    free_text = conn.execute(
        sa.select(SUBJECT_VALUES.c.field, SUBJECT_VALUES.c.seq, SUBJECT_VALUES.c.value)
        .where(SUBJECT_VALUES.c.case_id == case_id)
        .order_by(SUBJECT_VALUES.c.seq, SUBJECT_VALUES.c.field)
    )
    values.update((f"{name}@{seq}", json.loads(value)) for name, seq, value in free_text)
    return values, row.erased


ERASABLE_TABLES = ("subjects", "subject_values", "access_justifications")


def clean_up(engine: Engine) -> None:
    """Leave no copy of erased values behind the database: on SQLite every connection deletes
    securely (``PRAGMA secure_delete``, which zeroes freed space), and a checkpoint copies the
    write-ahead log into the file and truncates it, since its frames hold older page images
    (``wal_checkpoints.truncate``: again while another connection checkpoints).
    On PostgreSQL an erased row's old version stays in the table's pages, invisible to every
    query, until ``VACUUM`` marks its space free for reuse (run here, after the erasure has
    committed; a role that does not own the table gets a warning and autovacuum does it)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            wal_checkpoints.truncate(conn)
        else:
            autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ERASABLE_TABLES:
                autocommit.exec_driver_sql(f"VACUUM {table}")
