"""``verify`` reports read-model rows that disagree with the log.

The worklist and deadlines are what caseworkers and ``tick`` act on: emptied behind the
service (any writer of the SQLite file; on PostgreSQL any member of the application role,
who holds DELETE on them), a case's PACE clock leaves ``due``, ``tick`` and the custody
queue, and ``verify --thorough`` still says "intact", exit 0 (it checks the ``cases``
projection only).  ``rebuild`` would put them right, but nothing says to run it.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from casetracker.domain import clock
from tests.helpers import arrested_in_custody
from tests.security.test_postgres_forces import forces  # noqa: F401 - the fixture
from tests.security.test_postgres_privileges import logins  # noqa: F401 - the fixture

_ARREST = {"offence": "theft", "offence_category": "theft", "custody_suite": ""}


@pytest.mark.parametrize("table", ["deadlines", "worklist", "mi_arrests"])
def test_verify_names_a_read_model_emptied_behind_the_service(run, db, table):
    clock.set_clock(lambda: datetime(2016, 3, 1, 12, tzinfo=UTC))
    case_id = arrested_in_custody(run, db)
    with closing(sqlite3.connect(db)) as conn, conn:
        assert conn.execute(f"DELETE FROM {table} WHERE case_id = ?", (case_id,)).rowcount
    checked = run("--db", db, "verify", "--thorough")
    assert checked.code == 1, checked.out
    assert case_id in checked.out + checked.err


@pytest.mark.postgres
def test_verify_names_report_rows_a_member_rewrote(logins):  # noqa: F811
    """On PostgreSQL every member of the application role may write the report tables (not
    filtered by force either: docs/postgresql.md), and docs/postgresql.md's answer to "make
    cases (or a read model) disagree with the log" is that verify reports the case."""
    from casetracker.services.cases import Casetracker

    clock.set_clock(lambda: datetime(2016, 3, 1, 12, tzinfo=UTC))
    ct = Casetracker(logins.url(logins.member), role="casework")
    case_id = ct.open_case({"name": "Alex Example"}, "2016-01-01").case_id
    ct.act(case_id, "issue_reporting_directions", {"first_report_on": "2016-03-01"}, "2016-02-01")
    ct.close()
    with logins.psql(logins.member) as conn:
        gone = conn.execute("DELETE FROM deadlines WHERE case_id = %s", (case_id,)).rowcount
        assert gone  # the first report's deadline: tick will never record it missed
    admin = Casetracker(logins.owner_url, role="admin")
    report = admin.verify(thorough=True)
    admin.close()
    assert report.damaged or report.problems


@pytest.mark.postgres
def test_a_police_logins_thorough_verify_raises_no_false_alarm(forces):  # noqa: F811
    """A police login sees its own force's events, but every force's report rows: the other
    force's rows are not "kept for a case with no events".  Its own force's rows are still
    compared."""
    from casetracker.services.cases import Casetracker

    clock.set_clock(lambda: datetime(2016, 3, 1, 12, tzinfo=UTC))
    cases = {}
    for login, force in ((forces.mps, "MPS"), (forces.wmp, "WMP")):
        with closing(Casetracker(forces.url(login), role="police")) as officer:
            case_id = officer.open_case({"name": "A Person"}, "2016-03-01T09:00").case_id
            officer.act(case_id, "arrest", {**_ARREST, "force": force}, "2016-03-01T10:00")
            cases[force] = case_id
    with closing(Casetracker(forces.url(forces.mps), role="police")) as officer:
        assert officer.verify(thorough=True).ok
    with forces.psql(forces.mps) as conn:
        conn.execute("DELETE FROM deadlines WHERE case_id = %s", (cases["MPS"],))
    with closing(Casetracker(forces.url(forces.mps), role="police")) as officer:
        report = officer.verify(thorough=True)
    assert [d.case_id for d in report.damaged] == [cases["MPS"]]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM flow_steps WHERE case_id = %s AND step > 0",
        "UPDATE flow_steps SET wait_s = 1 WHERE case_id = %s AND step > 0",
        "INSERT INTO flow_steps SELECT case_id, trace, instance, step + 100, year, activity, "
        "previous, wait_s, approximate FROM flow_steps WHERE case_id = %s",
    ],
    ids=["deleted", "rewritten", "invented"],
)
def test_verify_names_another_forces_process_map_steps_a_member_changed(forces, statement):  # noqa: F811
    """On PostgreSQL each action keeps ``flow_steps`` (the process map every role is shown),
    which is not filtered by force: a West Midlands officer could delete or rewrite a Met
    case's steps through psql, and ``verify --thorough`` said intact (found by review)."""
    from casetracker.services.cases import Casetracker

    clock.set_clock(lambda: datetime(2016, 3, 1, 12, tzinfo=UTC))
    with closing(Casetracker(forces.url(forces.mps), role="police")) as officer:
        case_id = officer.open_case({"name": "A Person"}, "2016-03-01T09:00").case_id
        officer.act(case_id, "arrest", {**_ARREST, "force": "MPS"}, "2016-03-01T10:00")
    with closing(Casetracker(forces.url(forces.auditor), role="auditor")) as auditor:
        assert auditor.verify(thorough=True).ok
    with forces.psql(forces.wmp) as conn:
        assert conn.execute(statement, (case_id,)).rowcount > 0
    with closing(Casetracker(forces.url(forces.auditor), role="auditor")) as auditor:
        report = auditor.verify(thorough=True)
    assert [d.case_id for d in report.damaged] == [case_id]
