"""What a police login is told when the database refuses it says nothing of another force's case.

As a real non-superuser member login, through psql.  The four-eyes guard (migration 0015) reads
the proposals of the case an event names, and it ran before the event guard (triggers fire in
the order of their names, ``events_four_eyes`` before ``events_guard``): a police officer typing
an ``authorise_proposal`` on another force's case was told "authorises no proposal" for an
instance with none, and the event guard's refusal for one with a proposal, so they learnt which
proposals that case had and whether each was decided (found by review; migration 0033).
"""

from __future__ import annotations

import pytest

from casetracker.services import four_eyes
from casetracker.services.cases import Casetracker
from tests.security.test_postgres_forces import (  # noqa: F401 - forces is the fixture
    REFUSED,
    Force,
    forces,
)
from tests.security.test_postgres_tick_forces import _appended

pytestmark = pytest.mark.postgres


def _refusal(forces: Force, login: str, case_id: str, instance: int) -> str:  # noqa: F811
    """What the database answers ``login`` typing an authorisation of the case's proposal
    ``instance``."""
    with forces.psql(login) as conn, conn.cursor() as cur:
        try:
            _appended(cur, case_id, 99, ("authorisation", instance, "authorise_proposal"), login)
        except REFUSED as refused:
            return str(refused)
    raise AssertionError("the authorisation went in")


def test_an_officer_learns_nothing_of_another_forces_proposals(forces: Force) -> None:  # noqa: F811
    clerk = Casetracker(forces.url(forces.home_office), role="casework")  # every lifecycle
    case_id = clerk.open_case({"name": "Sam Synthetic", "force": "MPS"}, "2016-01-01").case_id
    four_eyes.propose(clerk, case_id, "detain_under_immigration_powers")
    clerk.close()
    with forces.psql(forces.wmp) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)
    proposed, none = (_refusal(forces, forces.wmp, case_id, n) for n in (1, 2))
    assert proposed == none, "the answer told a proposal from none"
