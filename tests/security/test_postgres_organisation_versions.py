"""On PostgreSQL a member cannot record a version of the organisation file through psql
(migration 0020): the versions decide which shifts and rules were in force when, and whether the
Home Office's four eyes apply, so only an active admin records one, in their own name."""

from __future__ import annotations

import json

import pytest

from casetracker.adapters import organisation_log
from tests.security.test_postgres_privileges import (  # noqa: F401 - logins is the fixture
    REFUSED,
    Logins,
    logins,
)

pytestmark = pytest.mark.postgres


def _four_eyes_off(found: Logins) -> tuple:
    """The last recorded version's content with the Home Office's four eyes switched off."""
    with found.psql(found.admin) as conn:
        (content,) = conn.execute(
            "SELECT content FROM organisation_versions ORDER BY position DESC LIMIT 1"
        ).fetchone()
    changed = json.loads(content)
    changed["four_eyes"] = {**changed.get("four_eyes", {}), "home_office": False}
    return (json.dumps(changed, sort_keys=True, separators=(",", ":")),)


def _insert(found: Logins, login: str, recorded_by: str) -> None:
    (content,) = _four_eyes_off(found)
    with found.psql(login) as conn, conn.cursor() as cur:
        position, prev = cur.execute(
            "SELECT position, hash FROM organisation_versions ORDER BY position DESC LIMIT 1"
        ).fetchone()
        values = (position + 1, "0" * 64, "forged.toml", content, "2016-01-01T00:00:00Z",
                  "2026-12-05T12:00:00", recorded_by)  # fmt: skip
        cur.execute(
            "INSERT INTO organisation_versions (position, digest, source, content, effective,"
            " recorded, recorded_by, prev_hash, hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (*values, prev, organisation_log.version_hash(values, prev)),
        )


def test_a_member_cannot_switch_four_eyes_off_through_psql(logins: Logins) -> None:  # noqa: F811
    with pytest.raises(REFUSED, match="only an active admin records the organisation file"):
        _insert(logins, logins.member, logins.member)


def test_an_admin_cannot_record_a_version_in_another_name(logins: Logins) -> None:  # noqa: F811
    with pytest.raises(REFUSED, match="only in their own name"):
        _insert(logins, logins.admin, logins.member)


def test_an_admin_records_a_version_in_their_own_name(logins: Logins) -> None:  # noqa: F811
    _insert(logins, logins.admin, logins.admin)
    with logins.psql(logins.admin) as conn:
        (by,) = conn.execute(
            "SELECT recorded_by FROM organisation_versions ORDER BY position DESC LIMIT 1"
        ).fetchone()
    assert by == logins.admin
