"""On PostgreSQL a police login finds, by search, only its own force's cases (issue 16 item 4),
and the read model the absconder filter reads (the worklist's absconder queue) holds it to its
force through psql too (row-level security of migration 0012).
"""

from __future__ import annotations

import pytest

from casetracker.adapters.case_search import ABSCONDER_QUEUE, Criteria
from casetracker.services import search
from casetracker.services.cases import Casetracker
from casetracker.services.registry import workflow_engine
from tests.security import test_postgres_forces
from tests.security.test_postgres_forces import Force, _case_of

pytestmark = pytest.mark.postgres
forces = test_postgres_forces.forces  # the logins of two forces, the Home Office, an auditor

LISTING = (
    ("issue_reporting_directions", "2015-06-10"),
    ("record_missed_reporting", "2015-06-20"),
    ("list_as_absconder", "2015-06-25"),
)


def _listed(forces: Force, login: str, role: str) -> list[str]:
    service = Casetracker(forces.url(login), role=role, workflows=workflow_engine())
    try:
        found = search.search(service, Criteria(absconder=True), "absconder review (test)")
    finally:
        service.close()
    return [f.case_id for f in found]


def test_an_officer_finds_no_other_forces_absconders(forces):
    mps, wmp = _case_of(forces, forces.mps), _case_of(forces, forces.wmp)
    home_office = Casetracker(
        forces.url(forces.home_office), role="casework", workflows=workflow_engine()
    )
    for case_id in (mps, wmp):
        for action, day in LISTING:
            home_office.act(case_id, action, {}, day)
    home_office.close()
    assert _listed(forces, forces.home_office, "casework") == sorted([mps, wmp])
    assert _listed(forces, forces.mps, "police") == [mps]
    assert _listed(forces, forces.wmp, "police") == [wmp]
    for login, own in ((forces.mps, mps), (forces.wmp, wmp)):
        with forces.psql(login) as conn:
            rows = conn.execute(
                "SELECT case_id FROM worklist WHERE queue = %s", (ABSCONDER_QUEUE,)
            ).fetchall()
        assert rows == [(own,)], login
