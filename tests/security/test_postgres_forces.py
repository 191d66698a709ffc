"""On PostgreSQL the database itself holds a police login to its force and every member to the
workflow definitions' roles (issue 13, items 2 and 3; migration 0012).

As in test_postgres_privileges, each attack is made as a real non-superuser login, a member of
the application role, through plain SQL on psycopg.  Before migration 0012 a police officer of
one force read every force's cases, their subjects and notes through psql, and a member could
record, in their own name and a role they hold, an action that role may not take.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa

from casetracker.adapters.database import make_engine
from casetracker.adapters.schema import grant_app_role
from casetracker.domain.errors import NotPermitted, UnknownCase
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from tests.helpers import core_engine, member_logins
from tests.security.test_postgres_privileges import _forged, _insert_and_fix_projection

pytestmark = pytest.mark.postgres

REFUSED = psycopg.errors.InsufficientPrivilege
CASE_TABLES = ("events", "cases", "subjects", "subject_values", "worklist")


@dataclass
class Force:
    owner_url: str
    group: str
    mps: str  # a police officer of the Met
    wmp: str  # a police officer of West Midlands
    home_office: str  # casework: sees every force
    auditor: str

    @property
    def logins(self) -> tuple[str, ...]:
        return (self.mps, self.wmp, self.home_office, self.auditor)

    def url(self, login: str) -> str:
        return sa.engine.make_url(self.owner_url).set(username=login).render_as_string(False)

    def psql(self, login: str) -> psycopg.Connection:
        return psycopg.connect(self.url(login).replace("postgresql+psycopg://", "postgresql://"))

    def service(self, login: str, role: str) -> Casetracker:
        return Casetracker(self.url(login), role=role, workflows=core_engine())


@pytest.fixture
def forces(pg_url: str) -> Iterator[Force]:
    tag = uuid.uuid4().hex[:8]
    found = Force(
        pg_url, f"ct_app_{tag}", f"ct_mps_{tag}", f"ct_wmp_{tag}", f"ct_ho_{tag}", f"ct_au_{tag}"
    )
    owner = make_engine(pg_url)
    try:
        with member_logins(owner, found.group, found.logins):
            create_database(pg_url, "live", ("admin",))
            grant_app_role(owner, found.group)
            admin = Casetracker(pg_url, role="admin", workflows=core_engine())
            admin.save_user(found.mps, "PC Met", ("police",), "MPS")
            admin.save_user(found.wmp, "PC West Mids", ("police",), "WMP")
            admin.save_user(found.home_office, "Caseworker", ("casework",))
            admin.save_user(found.auditor, "Auditor", ("auditor",))
            admin.close()
            yield found
    finally:
        owner.dispose()


def _case_of(forces: Force, login: str) -> str:
    """A case the officer opens (for their own force) with a note."""
    officer = forces.service(login, "police")
    case_id = officer.open_case({"name": "Sam Synthetic"}, "2015-06-01T10:00").case_id
    officer.act(case_id, "add_note", {"text": "booked in"}, "2015-06-01T10:05")
    officer.close()
    return case_id


def _rows(forces: Force, login: str, table: str, case_id: str) -> int:
    with forces.psql(login) as conn:
        found = conn.execute(f"SELECT count(*) FROM {table} WHERE case_id = %s", (case_id,))
        row = found.fetchone()
    assert row is not None
    return int(row[0])


def test_an_officer_reads_no_other_forces_rows_through_psql(forces):
    mps, wmp = _case_of(forces, forces.mps), _case_of(forces, forces.wmp)
    for table in CASE_TABLES:
        assert _rows(forces, forces.wmp, table, mps) == 0, table
    assert _rows(forces, forces.wmp, "events", wmp) == 2
    assert _rows(forces, forces.wmp, "subject_values", wmp) == 1
    assert _rows(forces, forces.mps, "events", mps) == 2
    with forces.psql(forces.wmp) as conn:
        cases = {row[0] for row in conn.execute("SELECT case_id FROM cases")}
        reasons = conn.execute("SELECT count(*) FROM access_justifications").fetchone()
    assert cases == {wmp}
    assert reasons == (0,)  # reasons given for reading: only for those who see every case


def test_home_office_and_auditors_see_every_force(forces):
    mps, wmp = _case_of(forces, forces.mps), _case_of(forces, forces.wmp)
    for login in (forces.home_office, forces.auditor):
        for case_id in (mps, wmp):
            assert _rows(forces, login, "events", case_id) == 2
            assert _rows(forces, login, "subjects", case_id) == 1


def test_an_officer_cannot_write_into_another_forces_case(forces):
    mps = _case_of(forces, forces.mps)
    with forces.psql(forces.home_office) as conn:  # what the officer cannot read, given them
        forged = _forged(conn.cursor(), mps, forces.wmp, "police", "add_note")
    with pytest.raises(REFUSED, match="own force"), forces.psql(forces.wmp) as conn:
        _insert_and_fix_projection(conn.cursor(), forged)
    with forces.psql(forces.wmp) as conn:  # the projection of another force's case: unseen
        conn.execute("UPDATE cases SET version = 99 WHERE case_id = %s", (mps,))
        conn.execute("DELETE FROM worklist WHERE case_id = %s", (mps,))
    assert _rows(forces, forces.auditor, "events", mps) == 2
    with forces.psql(forces.auditor) as conn:
        assert conn.execute("SELECT version FROM cases WHERE case_id = %s", (mps,)).fetchone() == (
            2,
        )


def test_the_services_own_paths_keep_working_for_each_login(forces):
    mps = _case_of(forces, forces.mps)
    wmp_case = _case_of(forces, forces.wmp)
    wmp = forces.service(forces.wmp, "police")
    assert wmp.show(wmp_case).version == 2
    with pytest.raises(UnknownCase):
        wmp.show(mps)
    with pytest.raises(UnknownCase):
        wmp.act(mps, "add_note", {"text": "x"}, "2015-06-01T11:00")
    wmp.close()
    caseworker = forces.service(forces.home_office, "casework")
    caseworker.act(mps, "add_note", {"text": "called the officer"}, "2015-06-02")
    caseworker.close()
    admin = Casetracker(forces.owner_url, role="admin", workflows=core_engine())
    admin.save_user(forces.auditor, "Auditor", ("auditor", "admin"))
    admin.close()
    auditor = forces.service(forces.auditor, "admin")  # verify and rebuild see every case
    assert auditor.rebuild() == 2
    report = auditor.verify()
    assert report.ok, report.problems
    assert auditor.show(mps).version == 3
    auditor.close()


def test_a_member_cannot_record_an_action_their_role_may_not_take(forces):
    """The workflow definitions give ``erase_subject`` to admins only: a caseworker may not
    record it, in their own name and a role they hold, through psql."""
    case_id = _case_of(forces, forces.mps)
    with forces.psql(forces.home_office) as conn:
        forged = _forged(conn.cursor(), case_id, forces.home_office, "casework", "erase_subject")
    refused = pytest.raises(REFUSED, match="may not take erase_subject")
    with refused, forces.psql(forces.home_office) as conn:
        _insert_and_fix_projection(conn.cursor(), forged)
    with forces.psql(forces.home_office) as conn:  # an action the role may take goes through
        allowed = _forged(conn.cursor(), case_id, forces.home_office, "casework", "add_note")
        _insert_and_fix_projection(conn.cursor(), allowed)
    assert _rows(forces, forces.auditor, "events", case_id) == 3


def test_a_refusal_by_the_database_is_logged_like_any_other(forces):
    """An officer whose police role an admin has just taken away still holds it in a session
    opened before: the service lets the note through, the event guard refuses it, and the
    refusal is in the access log, in the login's own name, with the database unchanged."""
    case_id = _case_of(forces, forces.mps)
    officer = forces.service(forces.mps, "police")
    assert officer.actor.role == "police"  # resolved while the role was held
    admin = Casetracker(forces.owner_url, role="admin", workflows=core_engine())
    admin.save_user(forces.mps, "PC Met", ("casework",))
    admin.close()
    with pytest.raises(NotPermitted, match=r"refused by the database: events: .* in a role"):
        officer.act(case_id, "add_note", {"text": "after the change"}, "2015-06-01T12:00")
    officer.close()
    with forces.psql(forces.auditor) as conn:
        denied = conn.execute(
            'SELECT role, case_id, detail FROM access_log WHERE "user" = %s AND action = '
            "'denied'",
            (forces.mps,),
        ).fetchall()
    assert [(role, case) for role, case, _ in denied] == [("police", case_id)]
    assert "may record events only as themselves" in denied[0][2]
    assert _rows(forces, forces.auditor, "events", case_id) == 2


def _denied(forces: Force, login: str) -> list[tuple[str, str, str]]:
    """The refusals logged in ``login``'s name: (case, attempted, reasons)."""
    with forces.psql(forces.auditor) as conn:
        rows = conn.execute(
            "SELECT case_id, detail FROM access_log WHERE \"user\" = %s AND action = 'denied' "
            "ORDER BY position",
            (login,),
        ).fetchall()
    details = [(case, json.loads(detail)) for case, detail in rows]
    return [(case, d["attempted"], " ".join(d["reasons"])) for case, d in details]


def test_another_forces_case_is_a_logged_refusal_that_discloses_nothing(forces):
    """Row-level security shows a West Midlands officer nothing of a Met case, so the service
    had found no case and logged nothing; every attempt on it is now a logged refusal
    (migration 0021), told to the officer exactly as a case that does not exist."""
    mps = _case_of(forces, forces.mps)
    missing = "C-0999999"
    wmp = forces.service(forces.wmp, "police")
    attempts = {
        "show": lambda case: wmp.show(case),
        "history": lambda case: wmp.history(case),
        "add_note": lambda case: wmp.act(case, "add_note", {"text": "x"}, "2015-06-01T11:00"),
        "keyed": lambda case: wmp.act(
            case, "add_note", {"text": "x"}, "2015-06-01T11:00", idempotency_key="k-1"
        ),
    }
    for attempt in attempts.values():
        with pytest.raises(UnknownCase) as theirs:
            attempt(mps)
        with pytest.raises(UnknownCase) as nobodys:
            attempt(missing)
        assert str(theirs.value).replace(mps, missing) == str(nobodys.value)
    wmp.close()
    denied = _denied(forces, forces.wmp)
    reason = "not a case of WMP: answered as an unknown case"
    assert denied == [
        (mps, "show", reason),
        (mps, "history", reason),
        (mps, "add_note", reason),
        (mps, "add_note", reason),
    ]
    assert _rows(forces, forces.auditor, "events", mps) == 2


def test_the_withheld_question_answers_only_for_the_login_and_writes_nothing(forces):
    """``casetracker_case_withheld`` is true only for a case in the log that the calling
    login may not see; a member calling it through psql learns nothing beyond the case id's
    allocation, and no row changes."""
    mps, wmp = _case_of(forces, forces.mps), _case_of(forces, forces.wmp)
    asked = "SELECT casetracker_case_withheld(%s)"
    with forces.psql(forces.wmp) as conn:
        answers = [conn.execute(asked, (case,)).fetchone() for case in (mps, wmp, "C-0999999")]
        logged = conn.execute("SELECT count(*) FROM access_log").fetchone()
    assert answers == [(True,), (False,), (False,)]
    with forces.psql(forces.home_office) as conn:
        assert conn.execute(asked, (mps,)).fetchone() == (False,)
    with forces.psql(forces.wmp) as conn:
        assert conn.execute("SELECT count(*) FROM access_log").fetchone() == logged
