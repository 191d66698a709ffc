"""On PostgreSQL the database refuses what the service would refuse (issue 13, item 2).

Each attack is made as a real non-superuser login, a member of the application role set up as
docs/postgresql.md says (``init --grant-to`` the group role, one login role per person), through
plain SQL on psycopg: what a person could type into psql.  Before migration 0006 every one of
them went through.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command

from casetracker.adapters.database import make_engine
from casetracker.adapters.schema import alembic_config, grant_app_role, initialise
from casetracker.domain.errors import NotPermitted
from casetracker.integrity.encoding import canonical_json, stored_hash
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from tests.helpers import core_engine, member_logins

pytestmark = pytest.mark.postgres

OTHER = "pc.other"  # a registered user with no login: whose name an attacker would borrow
REFUSED = psycopg.errors.InsufficientPrivilege


@dataclass
class Logins:
    owner_url: str
    member: str  # acts in the casework role
    admin: str  # a member of the application role who holds admin
    group: str

    def url(self, login: str) -> str:
        return sa.engine.make_url(self.owner_url).set(username=login).render_as_string(False)

    def psql(self, login: str) -> psycopg.Connection:
        return psycopg.connect(self.url(login).replace("postgresql+psycopg://", "postgresql://"))

    def service(self, login: str, role: str) -> Casetracker:
        return Casetracker(self.url(login), role=role, workflows=core_engine())


@pytest.fixture
def logins(pg_url: str) -> Iterator[Logins]:
    tag = uuid.uuid4().hex[:10]
    found = Logins(pg_url, f"ct_m_{tag}", f"ct_a_{tag}", f"ct_app_{tag}")
    owner = make_engine(pg_url)
    try:
        with member_logins(owner, found.group, (found.member, found.admin)):
            create_database(pg_url, "live", ("admin",))
            grant_app_role(owner, found.group)
            ct = Casetracker(pg_url, role="admin", workflows=core_engine())
            ct.save_user(found.member, "Mo Member", ("casework",))
            ct.save_user(found.admin, "Ann Admin", ("admin", "casework"))
            ct.save_user(OTHER, "Pat Other", ("casework", "auditor"))
            ct.close()
            yield found
    finally:
        owner.dispose()


def _open_case(logins: Logins) -> str:
    ct = logins.service(logins.member, "casework")  # keyed, so that 0027 can be downgraded
    case_id = ct.open_case({"name": "Alex Example"}, "2015-06-21", "opened").case_id
    ct.act(case_id, "add_note", {"text": "served papers"}, "2015-06-21T10:00", idempotency_key="n1")
    ct.close()
    return case_id


def _verify(logins: Logins) -> list[str]:
    ct = Casetracker(logins.owner_url, role="admin", workflows=core_engine())
    report = ct.verify()
    ct.close()
    return [str(d) for d in report.damaged] + report.problems


def _one(cur: psycopg.Cursor, query: str, params: tuple = ()) -> tuple:
    row = cur.execute(query, params).fetchone()
    assert row is not None
    return row


def _forged(cur: psycopg.Cursor, case_id: str, user: str, role: str, action: str) -> tuple:
    """The next event of ``case_id``, stamped ``user`` and ``role``, with a correct hash."""
    position, prev = _one(cur, "SELECT position, hash FROM events ORDER BY position DESC")
    seq, step, stamp = _one(
        cur, "SELECT seq, step, stamp FROM events WHERE case_id = %s ORDER BY seq DESC", (case_id,)
    )
    step = "\x1f".join([*step.split("\x1f")[:4], action])
    effective, recorded = stamp.split("\x1f")[2:]
    payload = canonical_json({"fields": {"text": "nothing happened"}})
    stamp = "\x1f".join((user, role, effective, recorded))
    stored = (position + 1, case_id, seq + 1, step, stamp, uuid.uuid4().hex, payload, prev)
    return (*stored, stored_hash(stored))


def _insert_and_fix_projection(cur: psycopg.Cursor, event: tuple) -> None:
    cur.execute(
        "INSERT INTO events (position, case_id, seq, step, stamp, idempotency_key, payload, "
        "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        event,
    )
    cur.execute(
        "UPDATE cases SET version = %s, head_hash = %s, head_position = %s WHERE case_id = %s",
        (event[2], event[8], event[0], event[1]),
    )


def _roles_of(logins: Logins) -> dict[str, tuple[list[str], bool]]:
    with logins.psql(logins.member) as conn:
        rows = conn.execute("SELECT name, roles, active FROM users").fetchall()
    return {name: (json.loads(roles), active) for name, roles, active in rows}


# ---------------------------------------------------------------------------------- users


@pytest.mark.parametrize(
    "statement",
    [
        'UPDATE users SET roles = \'["admin", "auditor"]\' WHERE name = session_user',
        f"UPDATE users SET active = false WHERE name = '{OTHER}'",
        "INSERT INTO users (name, display_name, roles) VALUES ('sock', 'Sock', '[\"admin\"]')",
        "SELECT casetracker_save_user(session_user, 'Me', '[\"admin\", \"auditor\"]', '')",
    ],
    ids=["give-themselves-admin", "deactivate-another", "add-a-puppet", "call-the-function"],
)
def test_a_member_cannot_change_users(logins, statement):
    before = _roles_of(logins)
    with pytest.raises(REFUSED), logins.psql(logins.member) as conn:
        conn.execute(statement)
    assert _roles_of(logins) == before


def test_an_admin_cannot_change_users_without_logging_it(logins):
    before = _roles_of(logins)
    with pytest.raises(REFUSED, match="not logged"), logins.psql(logins.admin) as conn:
        conn.execute(f"SELECT casetracker_save_user('{OTHER}', 'Pat', '[\"admin\"]', '')")
    assert _roles_of(logins) == before


# ---------------------------------------------------------------------------------- events


@pytest.mark.parametrize(
    ("user", "role"),
    [(OTHER, "casework"), ("{member}", "auditor"), ("{member}", "admin")],
    ids=["another-user", "a-role-not-held", "admin-not-held"],
)
def test_a_member_cannot_record_an_event_as_someone_else(logins, user, role):
    case_id = _open_case(logins)
    user = user.format(member=logins.member)
    with pytest.raises(REFUSED, match="only as themselves"), logins.psql(logins.member) as conn:
        _insert_and_fix_projection(
            conn.cursor(), _forged(conn.cursor(), case_id, user, role, "add_note")
        )
    assert _verify(logins) == []


def test_a_member_cannot_log_access_in_another_name(logins):
    with logins.psql(logins.member) as conn:
        position, prev = _one(
            conn.cursor(), "SELECT position, hash FROM access_log ORDER BY position DESC"
        )
    for user, role in ((OTHER, "auditor"), (logins.member, "auditor")):
        with pytest.raises(REFUSED, match="own access"), logins.psql(logins.member) as conn:
            conn.execute(
                'INSERT INTO access_log (position, recorded, "user", role, action, case_id, '
                "justification, detail, prev_hash, hash) "
                "VALUES (%s, '2020-01-01T00:00:00Z', %s, %s, 'show', '', '', '{}', %s, %s)",
                (position + 1, user, role, prev, "0" * 64),
            )


# ---------------------------------------------------------------------------------- subjects


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE subjects SET salt = NULL, data = NULL, erased = '2020-01-01T00:00:00Z' "
        "WHERE case_id = %s",
        "UPDATE subjects SET erased = '2020-01-01T00:00:00Z' WHERE case_id = %s",
        'UPDATE subjects SET data = \'{"name": "Someone Else"}\' WHERE case_id = %s',
    ],
    ids=["erase", "mark-erased", "alter"],
)
def test_a_member_cannot_change_a_subject_without_its_event(logins, statement):
    case_id = _open_case(logins)
    with logins.psql(logins.member) as conn:
        before = conn.execute("SELECT * FROM subjects WHERE case_id = %s", (case_id,)).fetchone()
    with pytest.raises(REFUSED, match="subjects"), logins.psql(logins.member) as conn:
        conn.execute(statement, (case_id,))
    with pytest.raises(REFUSED, match="subjects"), logins.psql(logins.member) as conn:
        _beside_an_event_of_their_own(conn, case_id, logins.member, statement)
    with logins.psql(logins.member) as conn:
        after = conn.execute("SELECT * FROM subjects WHERE case_id = %s", (case_id,)).fetchone()
    assert after == before
    assert _verify(logins) == []


def _beside_an_event_of_their_own(
    conn: psycopg.Connection, case_id: str, member: str, statement: str
) -> None:
    """An event of their own in the same transaction does not say the subject changes."""
    own = _forged(conn.cursor(), case_id, member, "casework", "add_note")
    _insert_and_fix_projection(conn.cursor(), own)
    conn.execute(statement, (case_id,))


def test_a_member_cannot_invent_a_subject(logins):
    ct = logins.service(logins.member, "casework")
    case_id = ct.open_case({"name": "Alex Example"}, "2015-06-21").case_id
    ct.close()
    with pytest.raises(REFUSED, match="subjects"), logins.psql(logins.member) as conn:
        conn.execute("DELETE FROM subjects WHERE case_id = %s", (case_id,))
    with pytest.raises(REFUSED, match="subjects"), logins.psql(logins.member) as conn:
        conn.execute(
            "INSERT INTO subjects (case_id, salt, data) VALUES ('C-9999999', %s, '{}')",
            ("ab" * 32,),
        )


# ---------------------------------------------------------------------------------- free text


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM subject_values WHERE case_id = %s",
        "UPDATE subject_values SET value = '\"nothing happened\"' WHERE case_id = %s",
        "INSERT INTO subject_values (case_id, seq, field, value) "
        "VALUES (%s, 2, 'reason', '\"made up\"')",
    ],
    ids=["erase-a-note", "alter-a-note", "add-to-an-old-event"],
)
def test_a_member_cannot_change_free_text_without_its_event(logins, statement):
    """A note (migration 0007: one row per value) changes only with the event that records
    it, and goes only with its case's erasure; an event of one's own does not stand in."""
    case_id = _open_case(logins)
    query = "SELECT * FROM subject_values WHERE case_id = %s ORDER BY seq, field"
    with logins.psql(logins.member) as conn:
        before = conn.execute(query, (case_id,)).fetchall()
    assert [row[1:3] for row in before] == [(2, "text")]
    with pytest.raises(REFUSED, match="subject_values"), logins.psql(logins.member) as conn:
        conn.execute(statement, (case_id,))
    with pytest.raises(REFUSED, match="subject_values"), logins.psql(logins.member) as conn:
        _beside_an_event_of_their_own(conn, case_id, logins.member, statement)
    with logins.psql(logins.member) as conn:
        assert conn.execute(query, (case_id,)).fetchall() == before
    assert _verify(logins) == []


def test_a_member_cannot_slip_free_text_in_beside_their_own_event(logins):
    """Their own event of the case carries no digest of the value: the row is refused."""
    case_id = _open_case(logins)
    with pytest.raises(REFUSED, match="subject_values"), logins.psql(logins.member) as conn:
        _a_value_beside_their_own_event(conn, case_id, logins.member)


def _a_value_beside_their_own_event(conn: psycopg.Connection, case_id: str, member: str) -> None:
    own = _forged(conn.cursor(), case_id, member, "casework", "add_note")
    _insert_and_fix_projection(conn.cursor(), own)
    conn.execute(
        "INSERT INTO subject_values (case_id, seq, field, value) VALUES (%s, %s, 'text', %s)",
        (case_id, own[2], '"nothing happened"'),
    )


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM access_justifications WHERE case_id = %s",
        "UPDATE access_justifications SET text = 'routine' WHERE case_id = %s",
        "INSERT INTO access_justifications (position, case_id, salt, text) "
        "SELECT position, case_id, repeat('ab', 32), 'routine' FROM access_log "
        "WHERE case_id = %s AND action = 'history'",
    ],
    ids=["erase-a-reason", "alter-a-reason", "give-an-old-read-a-reason"],
)
def test_a_member_cannot_change_a_reason_for_reading(logins, statement):
    """The reason given for a read (migration 0007: a row beside its access-log entry, whose
    hash covers a digest of it) is written only with its entry, by its reader, and goes only
    with the erasure of the case's subject."""
    case_id = _open_case(logins)
    member = logins.service(logins.member, "casework")
    member.show(case_id, reason="a call from the subject")
    member.history(case_id)  # a read logged without a reason: one to give a forged reason
    member.close()
    query = "SELECT * FROM access_justifications WHERE case_id = %s ORDER BY position"
    with logins.psql(logins.member) as conn:
        before = conn.execute(query, (case_id,)).fetchall()
    assert [row[3] for row in before] == ["a call from the subject"]
    with pytest.raises(REFUSED, match="access_justifications"), logins.psql(logins.member) as conn:
        conn.execute(statement, (case_id,))
    with logins.psql(logins.member) as conn:
        assert conn.execute(query, (case_id,)).fetchall() == before
    assert _verify(logins) == []
    admin = logins.service(logins.admin, "admin")
    admin.act(case_id, "erase_subject", {"legal_basis": "Article 17"}, "2015-06-23")
    admin.close()
    with logins.psql(logins.member) as conn:
        assert conn.execute(query, (case_id,)).fetchall() == []
        assert (
            conn.execute("SELECT * FROM subject_values WHERE case_id = %s", (case_id,)).fetchall()
            == []
        )
    assert _verify(logins) == []


# ---------------------------------------------------------------------------------- projection


def test_the_projection_cannot_disagree_with_the_log_unnoticed(logins):
    """The application role rewrites ``cases`` (it is derived), so the check is verify's."""
    case_id = _open_case(logins)
    with logins.psql(logins.member) as conn:
        (state,) = _one(conn.cursor(), "SELECT state FROM cases WHERE case_id = %s", (case_id,))
        forged = canonical_json({key: "closed" for key in json.loads(state)})
        conn.execute("UPDATE cases SET state = %s WHERE case_id = %s", (forged, case_id))
    assert any(case_id in problem for problem in _verify(logins))


# ---------------------------------------------------------------------------------- legitimate


def test_the_members_own_work_still_goes_through(logins):
    case_id = _open_case(logins)
    member = logins.service(logins.member, "casework")
    member.act(
        case_id, "correct_subject", {"name": "Alex Corrected", "reason": "misspelt"}, "2015-06-22"
    )
    with pytest.raises(NotPermitted):
        _ = logins.service(logins.member, "admin").actor  # a role not held: a logged refusal
    admin = logins.service(logins.admin, "admin")
    admin.save_user("new.user", "New User", ("casework",))
    admin.act(case_id, "erase_subject", {"legal_basis": "Article 17"}, "2015-06-23")
    with logins.psql(logins.member) as conn:
        log = conn.execute('SELECT "user", action FROM access_log').fetchall()
        erased = _one(conn.cursor(), "SELECT erased FROM subjects WHERE case_id = %s", (case_id,))
    assert erased[0] is not None
    assert (logins.member, "denied") in log and (logins.admin, "user-save") in log
    assert "new.user" in _roles_of(logins)
    member.close()
    admin.close()
    assert _verify(logins) == []


# ---------------------------------------------------------------------------------- upgrade


def test_init_upgrades_an_older_database_and_takes_back_user_writes(logins):
    case_id = _open_case(logins)
    owner = make_engine(logins.owner_url)
    config = alembic_config()
    try:
        with owner.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
            conn.execute(sa.text(f'GRANT INSERT, UPDATE ON users TO "{logins.group}"'))
            hashes = conn.execute(sa.text("SELECT hash FROM events ORDER BY position")).all()
        assert initialise(owner).upgraded_from == "0005"
        with owner.connect() as conn:
            assert (
                conn.execute(sa.text("SELECT hash FROM events ORDER BY position")).all() == hashes
            )
    finally:
        owner.dispose()
    with pytest.raises(REFUSED), logins.psql(logins.member) as conn:
        conn.execute("UPDATE users SET roles = '[\"admin\"]' WHERE name = session_user")
    assert _verify(logins) == [] and case_id
