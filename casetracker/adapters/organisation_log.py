"""The organisation file's versions in the log (``organisation_versions``, migration 0013).

The rules and reports read forces, suites, IO shifts and access from the organisation file
(docs/organisation.md), and the file changes over time (Recommendations 2 and 3 are measured by
changing it).  So each file in force is recorded once per change of digest: its digest, its
canonical content (the parsed file as canonical JSON, from which the configuration is rebuilt),
the moment from which it is in force, who recorded it and when.  The table is append-only and
hash-chained in one chain, like the access log, so a rewritten past configuration shows in
``verify``.  ``history`` gives every version, for measures of past moments
(``report releases``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.tables import ORGANISATION_VERSIONS
from casetracker.domain import clock
from casetracker.domain.effective_time import instant, parse_canonical
from casetracker.domain.organisation import Organisation, OrganisationHistory, OrganisationVersion
from casetracker.domain.organisation_file import OrganisationFileError, from_content
from casetracker.integrity.encoding import GENESIS

FORMAT = "casetracker/organisation/1"
FIELDS = ("position", "digest", "source", "content", "effective", "recorded", "recorded_by")
_US = "\x1f"
BEGINNING = datetime(1, 1, 1, tzinfo=UTC)  # the first version's start: nothing older is known
_T = ORGANISATION_VERSIONS.c


def version_hash(values: Sequence[Any], prev_hash: str) -> str:
    """SHA-256 over the format name and each field, unit-separated, then the previous hash."""
    text = _US.join([FORMAT, *(str(v) for v in values), prev_hash])
    return hashlib.sha256(b"\x00" + text.encode("utf-8")).hexdigest()


def _rows(conn: Connection) -> list[sa.Row[Any]]:
    query = sa.select(*(_T[name] for name in (*FIELDS, "prev_hash", "hash")))
    return list(conn.execute(query.order_by(_T.position)).all())


def append(conn: Connection, org: Organisation, effective: datetime, user: str) -> int:
    """Record ``org`` as in force from ``effective``; returns its position.  The caller's write
    transaction serialises appends, as the access log's do."""
    last = conn.execute(
        sa.select(_T.position, _T.hash).order_by(_T.position.desc()).limit(1)
    ).first()
    position = (last[0] + 1) if last else 1
    prev_hash = last[1] if last else GENESIS
    recorded = clock.now().replace(microsecond=0).isoformat()
    values = (
        position, org.digest, org.source, org.content, instant(effective).text, recorded, user,
    )  # fmt: skip
    row = dict(zip(FIELDS, values, strict=True))
    conn.execute(
        ORGANISATION_VERSIONS.insert().values(
            **row, prev_hash=prev_hash, hash=version_hash(values, prev_hash)
        )
    )
    return position


def record_if_changed(
    conn: Connection, org: Organisation, user: str, effective: datetime | None = None
) -> int:
    """Record ``org`` unless it is the version recorded last (one version per change of
    digest); its position, or 0.  Without ``effective``, the first version is in force from the
    beginning (it is the oldest configuration known: the database started with it) and a later
    one from now."""
    latest = latest_digest(conn)
    if latest == org.digest:
        return 0
    if effective is None:
        effective = clock.now() if latest else BEGINNING
    return append(conn, org, effective, user)


def history(conn: Connection) -> OrganisationHistory:
    """Every recorded version, oldest first, each rebuilt from its canonical content."""
    versions = []
    for row in _rows(conn):
        source = f"organisation version {row.position} (recorded from {row.source})"
        versions.append(
            OrganisationVersion(
                parse_canonical(row.effective).start,
                from_content(row.content, source, row.digest),
                row.recorded,
                row.recorded_by,
            )
        )
    return OrganisationHistory(tuple(versions))


def latest_digest(conn: Connection) -> str:
    """The digest of the version recorded last, or "" when none is."""
    found = conn.execute(sa.select(_T.digest).order_by(_T.position.desc()).limit(1)).scalar()
    return str(found or "")


def verify(conn: Connection) -> list[str]:
    """Problems with the chain: a hash that does not match its row, a broken link, or content
    that no longer rebuilds a configuration.  Empty when intact."""
    problems: list[str] = []
    prev = GENESIS
    for row in _rows(conn):
        values = tuple(row[i] for i in range(len(FIELDS)))
        where = f"organisation version {row.position}"
        if row.prev_hash != prev:
            problems.append(f"{where}: does not follow the version before it (chain broken)")
        if version_hash(values, row.prev_hash) != row.hash:
            problems.append(f"{where}: its hash does not match its content (changed)")
        try:
            from_content(row.content, where, row.digest)
        except OrganisationFileError as error:
            problems.append(f"{where}: its content is not a configuration ({error})")
        prev = row.hash
    return problems
