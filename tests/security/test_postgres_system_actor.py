"""On PostgreSQL only a tick may record as ``system`` (issue 16; migrations 0009 and 0012).

As a real non-superuser login, a member of the application role: ``casetracker tick`` records
the passed deadlines as ``system`` (its run logged in the access log in the member's own name,
in the same transaction), while the same event typed into psql without that is refused, and so
is any other action stamped ``system``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

from casetracker.domain import clock
from casetracker.integrity.encoding import stored_hash
from casetracker.services import work
from casetracker.services.cases import Casetracker
from tests.security.test_postgres_privileges import (  # noqa: F401 - logins is the fixture
    REFUSED,
    Logins,
    _forged,
    _insert_and_fix_projection,
    logins,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def member(logins: Logins) -> Logins:  # noqa: F811 - the imported fixture, by name
    """The logins of test_postgres_privileges: a member of the application role, and others."""
    return logins


def _case_with_a_reporting_date(member: Logins) -> str:
    clock.set_clock(lambda: datetime(2016, 3, 1, 12, tzinfo=UTC))
    ct = Casetracker(member.url(member.member), role="casework")
    case_id = ct.open_case({"name": "Alex Example"}, "2016-01-01").case_id
    ct.act(case_id, "issue_reporting_directions", {"first_report_on": "2016-03-01"}, "2016-02-01")
    ct.close()
    return case_id


def test_a_tick_as_a_member_records_as_system(member: Logins) -> None:
    case_id = _case_with_a_reporting_date(member)
    clock.set_clock(lambda: datetime(2016, 3, 5, tzinfo=UTC))
    ct = Casetracker(member.url(member.member), role="casework")
    result = work.tick(ct)
    assert [(c, d.kind) for c, d in result.recorded] == [(case_id, "first_report")]
    last = ct.store.read_case(case_id)[-1]
    assert (last.actor_user, last.actor_role, last.action) == (
        "system",
        "system",
        "deadline_passed",
    )
    ct.close()


@pytest.mark.parametrize("action", ["deadline_passed", "add_note"])
def test_system_events_typed_into_psql_are_refused(member: Logins, action: str) -> None:
    case_id = _case_with_a_reporting_date(member)
    with member.psql(member.member) as conn, conn.cursor() as cur:
        event = _forged(cur, case_id, "system", "system", action)
        with pytest.raises(REFUSED, match="may record events only as themselves"):
            _insert_and_fix_projection(cur, event)


def _log_a_tick(cur: psycopg.Cursor, login: str, role: str = "casework") -> None:
    """What ``tick`` logs first, typed by hand: an access-log entry ``tick`` in one's own name
    and a role one holds."""
    position, prev = cur.execute(
        "SELECT position, hash FROM access_log ORDER BY position DESC LIMIT 1"
    ).fetchone() or (0, "0" * 64)
    cur.execute(
        'INSERT INTO access_log (position, recorded, "user", role, action, case_id, '
        "justification, detail, prev_hash, hash) VALUES (%s, %s, %s, %s, 'tick', '', '', "
        "'{}', %s, %s)",
        (position + 1, "2016-03-05T00:00:00Z", login, role, prev, "f" * 64),
    )


def test_a_tick_entry_lets_in_a_passed_deadline_and_nothing_else(member: Logins) -> None:
    """The tick path is the access-log entry in the same transaction: with it a member may
    record a passed deadline as system (as ``casetracker tick`` does), never another action,
    nor a passed deadline outside the ``work`` lifecycle."""
    case_id = _case_with_a_reporting_date(member)
    with member.psql(member.member) as conn, conn.cursor() as cur:
        _log_a_tick(cur, member.member)
        with pytest.raises(REFUSED, match="may record events only as themselves"):
            _insert_and_fix_projection(cur, _forged(cur, case_id, "system", "system", "add_note"))
    with member.psql(member.member) as conn, conn.cursor() as cur:
        _log_a_tick(cur, member.member)
        with pytest.raises(REFUSED, match="may record events only as themselves"):
            _insert_and_fix_projection(
                cur, _forged(cur, case_id, "system", "system", "deadline_passed")
            )
    with member.psql(member.member) as conn, conn.cursor() as cur:
        _log_a_tick(cur, member.member)
        _insert_and_fix_projection(
            cur, _in_work(_forged(cur, case_id, "system", "system", "deadline_passed"))
        )


def _in_work(event: tuple) -> tuple:
    """The event moved to the ``work`` lifecycle, where a tick records a passed deadline (the
    only one the tick's path lets in, migration 0032), with its hash made again."""
    parts = event[3].split(chr(31))
    parts[1] = "work"
    stored = (*event[:3], chr(31).join(parts), *event[4:8])
    return (*stored, stored_hash(stored))
