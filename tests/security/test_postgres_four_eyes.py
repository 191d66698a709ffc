"""On PostgreSQL a member cannot bypass four eyes through psql (issue 16 item 3; migration 0015).

Two real non-superuser logins of the application role, both Home Office caseworkers: the member
proposes detention; typing into psql the authorisation of their own proposal is refused, and so
is the detention recorded with no authorisation before it; the other login authorises it through
casetracker; an authorisation typed again (replayed) is refused.  An admin marks a
superintendent only through the guarded function, and only an admin may.  And search (item 4):
a police login of one force finds nothing of another force's person, and sees no row of the
blind index for it.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from casetracker.integrity.encoding import canonical_json, stored_hash
from casetracker.services import four_eyes
from casetracker.services.cases import Casetracker
from tests.security.test_postgres_privileges import (  # noqa: F401 - logins is the fixture
    REFUSED,
    Logins,
    _insert_and_fix_projection,
    logins,
)

pytestmark = pytest.mark.postgres


def _forged(
    cur: psycopg.Cursor, case_id: str, user: str, workflow: str, instance: int, action: str
) -> tuple:
    """The case's next event, stamped ``user`` as casework, with a correct hash."""
    position, prev = cur.execute(
        "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1"
    ).fetchone()
    seq, step, stamp = cur.execute(
        "SELECT seq, step, stamp FROM events WHERE case_id = %s ORDER BY seq DESC LIMIT 1",
        (case_id,),
    ).fetchone()
    realm = step.split("\x1f")[0]
    step = "\x1f".join((realm, workflow, "1", str(instance), action))
    effective, recorded = stamp.split("\x1f")[2:]
    payload = canonical_json({"fields": {"authorised_by": user}})
    stamp = "\x1f".join((user, "casework", effective, recorded))
    stored = (position + 1, case_id, seq + 1, step, stamp, uuid.uuid4().hex, payload, prev)
    return (*stored, stored_hash(stored))


def _proposed(member: Logins) -> str:
    ct = Casetracker(member.url(member.member), role="casework")
    case_id = ct.open_case({"name": "Alex Example"}, "2016-01-01").case_id
    four_eyes.propose(ct, case_id, "detain_under_immigration_powers")
    ct.close()
    return case_id


def test_a_member_cannot_authorise_their_own_proposal_in_psql(logins: Logins) -> None:  # noqa: F811
    case_id = _proposed(logins)
    with logins.psql(logins.member) as conn, conn.cursor() as cur:
        event = _forged(cur, case_id, logins.member, "authorisation", 1, "authorise_proposal")
        with pytest.raises(REFUSED, match="the same person may not authorise"):
            _insert_and_fix_projection(cur, event)


def test_the_action_typed_without_its_authorisation_is_refused(logins: Logins) -> None:  # noqa: F811
    case_id = _proposed(logins)
    with logins.psql(logins.admin) as conn, conn.cursor() as cur:
        event = _forged(
            cur, case_id, logins.admin, "detention", 0, "detain_under_immigration_powers"
        )
        with pytest.raises(REFUSED, match="needs a second person's authorisation"):
            _insert_and_fix_projection(cur, event)


def test_authorised_by_the_other_login_and_a_replay_refused(logins: Logins) -> None:  # noqa: F811
    case_id = _proposed(logins)
    ct = Casetracker(logins.url(logins.admin), role="casework")
    done = four_eyes.authorise(ct, case_id, 1)
    ct.close()
    assert [e.action for e in done.events] == [
        "authorise_proposal",
        "detain_under_immigration_powers",
    ]
    with logins.psql(logins.admin) as conn, conn.cursor() as cur:
        event = _forged(cur, case_id, logins.admin, "authorisation", 1, "authorise_proposal")
        with pytest.raises(REFUSED, match="already decided"):
            _insert_and_fix_projection(cur, event)


def test_only_an_admin_marks_a_superintendent(logins: Logins) -> None:  # noqa: F811
    for statement in (
        "SELECT casetracker_mark_superintendent(session_user, true)",
        "UPDATE users SET superintendent = true WHERE name = session_user",
    ):
        with logins.psql(logins.member) as conn, conn.cursor() as cur, pytest.raises(REFUSED):
            cur.execute(statement)
    with logins.psql(logins.member) as conn:
        assert not conn.execute(
            "SELECT superintendent FROM users WHERE name = session_user"
        ).fetchone()[0]
    admin = Casetracker(logins.url(logins.admin), role="admin")
    admin.register_user(logins.member, "police", "Mo Member", "MPS", superintendent=True)
    assert next(u for u in admin.users() if u.name == logins.member).superintendent
    admin.close()


def test_a_police_login_finds_no_other_forces_person(logins: Logins) -> None:  # noqa: F811
    """Search (issue 16 item 4): row-level security keeps the blind index inside the force."""
    from casetracker.services import search

    admin = Casetracker(logins.url(logins.admin), role="admin")
    admin.register_user(logins.member, "police", "Mo Member", "WYP")
    admin.close()
    clerk = Casetracker(logins.url(logins.admin), role="casework")
    case_id = clerk.open_case({"name": "Robin Example", "force": "MPS"}).case_id
    criteria = search.criteria_from(clerk, name="robin")
    assert [f.case_id for f in search.search(clerk, criteria, "test")] == [case_id]
    clerk.close()
    officer = Casetracker(logins.url(logins.member), role="police")
    assert search.search(officer, search.criteria_from(officer, name="robin"), "test") == []
    officer.close()
    with logins.psql(logins.member) as conn:
        seen = conn.execute("SELECT count(*) FROM subject_search").fetchone()
    assert seen is not None and seen[0] == 0
