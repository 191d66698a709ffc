"""The subject's personal data, kept outside the hash chain so it can be corrected or erased.

The chain hashes ``HMAC-SHA256(salt, field || value)`` for each personal field, with a random salt
per subject kept here beside the values.  While the record exists, ``verify`` can prove that the
values on file are the ones the log last recorded; once erased (values and salt destroyed) the
digests left in the chain cannot be reversed or guessed from a list of names, and every chain
still verifies.  This was chosen over per-subject encryption keys because a correction is then a
plain new event, and nothing in the log needs a key to be read.
"""

from __future__ import annotations

import hmac
import json
import secrets
from json.encoder import encode_basestring as _json_string  # canonical_json of a str
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker import driver_rows
from casetracker.canonical import canonical_json
from casetracker.errors import Refused
from casetracker.tables import SUBJECTS


def digest(salt_hex: str, name: str, value: Any) -> str:
    return _digest(bytes.fromhex(salt_hex), name, value)


def digests(salt_hex: str, values: dict[str, Any]) -> dict[str, str]:
    """``digest`` of each value, the salt decoded once (bulk paths digest a million values)."""
    key = bytes.fromhex(salt_hex)
    return {name: _digest(key, name, value) for name, value in values.items()}


def _digest(key: bytes, name: str, value: Any) -> str:
    text = _json_string(value) if type(value) is str else canonical_json(value)
    return hmac.digest(key, f"{name}\x1f{text}".encode(), "sha256").hex()


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


def mismatches(conn: Connection, latest: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """For each case in ``latest`` (case -> field -> digest last logged), the personal fields
    whose value on file no longer matches; cases with nothing wrong are left out.

    One pass over the subjects table: a verify checks every case, and a query per case cost
    more than the whole chain walk."""
    found: dict[str, list[str]] = {}
    on_file: set[str] = set()
    query = "SELECT case_id, salt, data, erased FROM subjects"
    for rows in driver_rows.batches(conn.connection.dbapi_connection, query):
        for case_id, salt, data, erased in rows:
            wanted = latest.get(case_id)
            if wanted is None:
                continue
            on_file.add(case_id)
            if not erased and (problems := _differences(salt, data, wanted)):
                found[case_id] = problems
    for case_id, wanted in latest.items():
        if case_id not in on_file and wanted:
            found[case_id] = [f"no subject record for {', '.join(sorted(wanted))}"]
    return found


def _differences(salt: str, data_json: str | None, latest: dict[str, str]) -> list[str]:
    data = json.loads(data_json or "{}")
    key = bytes.fromhex(salt)
    bad = [
        name
        for name, d in latest.items()
        if name not in data or _digest(key, name, data[name]) != d
    ]
    bad += [name for name in data if name not in latest]
    return [f"subject field {name!r} does not match the log" for name in sorted(set(bad))]
