"""Migration 0023 asks the force boundary's questions with fewer function calls (issue 18 item 5),
and the boundary and the event guard still decide as before.

Row-level security asks whether the login sees every case, and which force is theirs, once per
statement, now as sub-selects of the policies rather than calls of ``casetracker_sees_all`` and
``casetracker_my_force``; only ``casetracker_case_visible`` is asked per row, and not at all of
a login who sees every case.  Counted with ``pg_stat_xact_user_functions`` (the calls of the
login's own transaction), as a real member of the application role through psycopg.  What the
policies and guards refuse is tested by the other test_postgres_* files; the event guard's
reading of the session user once is held here to the cases it replaced: another's name, a role
not held, a deactivated user.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa

from casetracker.adapters.database import make_engine
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine, member_database
from tests.security.test_postgres_privileges import _forged

pytestmark = pytest.mark.postgres

QUESTIONS = ("casetracker_sees_all", "casetracker_my_force")  # asked by the policies before 0023


@dataclass
class Members:
    url: str
    officer: str  # police, force MPS
    caseworker: str  # casework: bound to no force, sees every case

    def login(self, name: str) -> str:
        return sa.engine.make_url(self.url).set(username=name).render_as_string(False)

    def psql(self, name: str) -> psycopg.Connection:
        return psycopg.connect(self.login(name).replace("postgresql+psycopg://", "postgresql://"))


@pytest.fixture
def members(pg_url: str) -> Iterator[Members]:
    tag = uuid.uuid4().hex[:10]
    found = Members(pg_url, f"ct_pc_{tag}", f"ct_cw_{tag}")
    group = f"ct_app_{tag}"
    owner = make_engine(pg_url)
    try:
        users = [
            (found.officer, "PC Jones", ("police",), "MPS"),
            (found.caseworker, "Cas Worker", ("casework",), ""),
        ]
        with member_database(owner, pg_url, group, users):
            database = sa.engine.make_url(pg_url).database
            with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # counted per transaction for the sessions opened from here on
                conn.execute(sa.text(f"ALTER DATABASE \"{database}\" SET track_functions = 'pl'"))
            yield found
    finally:
        owner.dispose()


def _calls(cur: psycopg.Cursor) -> dict[str, int]:
    """The guard functions called so far in this transaction, and how often."""
    cur.execute("SELECT funcname, calls FROM pg_stat_xact_user_functions")
    return {name: calls for name, calls in cur.fetchall()}


def _open_cases(members: Members, count: int) -> list[str]:
    ct = Casetracker(members.login(members.officer), role="police", workflows=core_engine())
    try:
        ids = [ct.open_case({"name": f"p{i}"}, "2015-06-21").case_id for i in range(count)]
        ct.act(ids[0], "add_note", {"text": "served papers"}, "2015-06-21T10:00")
    finally:
        ct.close()
    return ids


def test_the_policies_ask_who_sees_what_once_per_statement(members: Members) -> None:
    _open_cases(members, 3)
    with members.psql(members.officer) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM events")
        seen = cur.fetchone()
        calls = _calls(cur)
    assert seen is not None and seen[0] == 4  # three openings and a note, all of MPS
    assert not set(calls) & set(QUESTIONS)
    assert calls.get("casetracker_case_visible") == 4  # each row, as before
    with members.psql(members.caseworker) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM events")
        seen = cur.fetchone()
        calls = _calls(cur)
    assert seen is not None and seen[0] == 4
    assert calls == {}  # sees every case: no call at all, none per row


def test_an_event_asks_the_guards_only_what_they_need(members: Members) -> None:
    case_id = _open_cases(members, 1)[0]
    with members.psql(members.officer) as conn, conn.cursor() as cur:
        event = _forged(cur, case_id, members.officer, "police", "add_note")
        before = _calls(cur)
        _insert(cur, event)  # accepted: their own name, a role they hold, their force's case
        after = _calls(cur)
        conn.rollback()
    asked = {name: after[name] - before.get(name, 0) for name in after}
    assert asked["casetracker_event_guard"] == 1
    assert asked["casetracker_case_visible"] == 1  # the force check, as before
    assert not {name for name, n in asked.items() if n} & {
        *QUESTIONS,
        "casetracker_holds",
        "casetracker_unchecked",
    }


@pytest.mark.parametrize("deactivated", [False, True], ids=["other-name", "deactivated"])
def test_the_event_guard_still_refuses_what_it_refused(members: Members, deactivated: bool) -> None:
    case_id = _open_cases(members, 1)[0]
    actor = members.officer if deactivated else members.caseworker
    if deactivated:
        owner = make_engine(members.url)
        with owner.begin() as changing:
            changing.execute(
                sa.text("UPDATE users SET active = false WHERE name = :name"),
                {"name": members.officer},
            )
        owner.dispose()
    owner_dsn = members.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(owner_dsn) as reading, reading.cursor() as cur:  # sees the case's head
        event = _forged(cur, case_id, actor, "police", "add_note")
    refused = psycopg.errors.InsufficientPrivilege
    with (
        pytest.raises(refused, match="only as themselves"),
        members.psql(members.officer) as conn,
        conn.cursor() as cur,
    ):
        _insert(cur, event)


def _insert(cur: psycopg.Cursor, event: tuple) -> None:
    cur.execute(
        "INSERT INTO events (position, case_id, seq, step, stamp, idempotency_key, payload, "
        "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        event,
    )
