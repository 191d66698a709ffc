"""``case search`` through the service (issue 16 item 4), on SQLite and PostgreSQL: by the
person through the erasable blind index, by attributes, inside the force boundary, each search
a logged read whose entry holds no searched value; an erased person is found by nothing.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from casetracker.adapters.case_search import Criteria
from casetracker.adapters.database import read_transaction
from casetracker.adapters.tables import ACCESS_LOG, SUBJECT_SEARCH
from casetracker.domain.errors import NotPermitted, UsageError
from casetracker.services import search
from casetracker.services.cases import Casetracker
from casetracker.services.registry import workflow_engine
from tests.helpers import new_service

ZOE = {
    "name": "Zoë O'Brien (synthetic)",
    "date_of_birth": "1990-01-02",
    "nationality": "Freedonia",
    "identifiers": ["PNC 12/345X", "HO-B1234567"],
    "force": "MPS",
}
ARREST = {"offence": "theft (synthetic)", "offence_category": "theft", "force": "MPS"}
ALEX = {"name": "Alex Zoe Example", "date_of_birth": "1985-05-05", "force": "MPS"}


def _by(ct: Casetracker, **typed: str) -> list[str]:
    criteria = Criteria(person=search.person_terms(**typed))
    return [f.case_id for f in search.search(ct, criteria, "identity check (test)")]


@pytest.fixture
def cases(db_url: str) -> tuple[Casetracker, str, str]:
    ct = new_service(db_url, role="police")
    zoe = ct.open_case(ZOE, "2016-01-01").case_id
    alex = ct.open_case(ALEX, "2016-01-02").case_id
    return ct, zoe, alex


def test_found_by_each_thing_about_the_person(cases):
    ct, zoe, alex = cases
    assert _by(ct, name="zoe") == [zoe, alex]  # accents and case folded
    assert _by(ct, name="ZOE obrien") == [zoe]  # every word; O'Brien is one word
    assert _by(ct, name="o'brien zoë") == [zoe]
    assert _by(ct, dob="1990-01-02") == [zoe]
    assert _by(ct, nationality="freedonia") == [zoe]
    assert _by(ct, identifier="pnc 12/345x") == [zoe]
    assert _by(ct, identifier="HOB1234567") == [zoe]
    assert _by(ct, name="zoe", dob="1985-05-05") == [alex]
    assert _by(ct, name="nobody") == []
    ct.act(
        zoe, "correct_subject", {"nationality": "Utopia", "reason": "misheard (synthetic)"}
    )  # the index follows a correction
    assert _by(ct, nationality="freedonia") == []
    assert _by(ct, nationality="utopia") == [zoe]
    ct.close()


def test_by_attributes(cases):
    ct, zoe, alex = cases
    admin = Casetracker(ct.url, role="admin")
    admin.act(alex, "close_case", {"reason": "no further action (synthetic)"})
    admin.close()
    open_ = Criteria(states=search.parse_states(ct, ["case=open"]))
    assert [f.case_id for f in search.search(ct, open_, "audit")] == [zoe]
    closed_named = Criteria(
        person=search.person_terms(name="zoe"), states=search.parse_states(ct, ["case=closed"])
    )
    assert [f.case_id for f in search.search(ct, closed_named, "audit")] == [alex]
    today = Criteria(opened=search.day_range("2000-01-01", "2999-12-31", "opened"))
    found = search.search(ct, today, "audit", limit=1)
    assert [f.case_id for f in found] == [zoe]
    assert [f.case_id for f in search.search(ct, today, "audit", after=zoe)] == [alex]
    nothing = Criteria(opened=search.day_range("2001-01-01", "2001-01-31", "opened"))
    assert search.search(ct, nothing, "audit") == []
    assert search.search(ct, Criteria(high_harm=True), "audit") == []
    assert search.search(ct, Criteria(absconder=True), "audit") == []
    ct.close()


def test_a_listed_absconder_is_found_until_new_directions(db_url):
    """The absconder filter is the worklist's absconder queue: a listing stands when the
    person is re-encountered and ends with new reporting directions (Figure 1)."""
    ct = new_service(db_url, role="police", workflows=workflow_engine())
    zoe = ct.open_case(ZOE, "2016-01-01").case_id
    ct.open_case(ALEX, "2016-01-02")
    io = Casetracker(ct.url, role="immigration_officer", workflows=ct.flow)
    listed = Criteria(absconder=True)

    def found() -> list[str]:
        return [f.case_id for f in search.search(ct, listed, "absconder review (test)")]

    for action, day in (("issue_reporting_directions", 10), ("record_missed_reporting", 20)):
        io.act(zoe, action, {}, f"2016-01-{day}")
    assert found() == []
    io.act(zoe, "list_as_absconder", {}, "2016-02-01")
    assert found() == [zoe]
    named = Criteria(person=search.person_terms(name="zoe"), absconder=True)
    assert [f.case_id for f in search.search(ct, named, "audit")] == [zoe]
    ct.act(zoe, "arrest", ARREST, "2016-03-01T10:00")
    io.act(zoe, "reencounter", {}, "2016-03-01T12:00")
    assert found() == [zoe]
    io.act(zoe, "issue_reporting_directions", {}, "2016-03-02")
    assert found() == []
    io.close()
    ct.close()


def test_a_high_harm_case_is_found_by_the_flag(db_url):
    """The High Harm filter reads the High Harm rows' case ids (mi_high_harm, kept by each
    action): an arrest for a knife offence is one (¶3.4, footnote 8), a theft is not."""
    ct = new_service(db_url, role="police", workflows=workflow_engine())
    zoe = ct.open_case(ZOE, "2016-01-01").case_id
    alex = ct.open_case(ALEX, "2016-01-02").case_id
    ct.act(alex, "arrest", ARREST, "2016-01-02T10:00")
    harm = Criteria(high_harm=True)
    assert search.search(ct, harm, "audit") == []
    ct.act(zoe, "arrest", {**ARREST, "offence_category": "knife"}, "2016-01-03T10:00")
    assert [f.case_id for f in search.search(ct, harm, "audit")] == [zoe]
    ct.close()


def test_each_search_is_logged_with_its_reason_and_without_what_was_searched(cases):
    ct, zoe, _ = cases
    _by(ct, name="obrien", dob="1990-01-02")
    with read_transaction(ct.engine) as conn:
        entry = conn.execute(sa.select(ACCESS_LOG).where(ACCESS_LOG.c.action == "search")).one()
    detail = json.loads(entry.detail)
    assert detail == {"by": ["dob", "name_word"], "filters": {"boundary": "MPS"}, "found": [zoe]}
    assert "brien" not in entry.detail.lower() and "1990" not in entry.detail
    assert entry.justification  # the reason, kept as an erasable digest
    ct.close()


def test_an_erased_person_is_found_by_nothing(cases):
    ct, zoe, _ = cases
    admin = Casetracker(ct.url, role="admin")
    admin.act(zoe, "erase_subject", {"legal_basis": "request (synthetic)"})
    with read_transaction(admin.engine) as conn:
        left = conn.execute(
            sa.select(sa.func.count()).where(SUBJECT_SEARCH.c.case_id == zoe)
        ).scalar()
    assert left == 0
    assert _by(admin, name="obrien") == []
    assert _by(admin, identifier="HOB1234567") == []
    admin.close()
    ct.close()


def test_refusals(cases):
    ct, _, _ = cases
    with pytest.raises(UsageError, match="reason"):
        search.search(ct, Criteria(person=search.person_terms(name="zoe")), "  ")
    with pytest.raises(UsageError, match="something to search by"):
        search.search(ct, Criteria(), "audit")
    with pytest.raises(UsageError, match="not a date"):
        search.person_terms(dob="2-1-1990")
    with pytest.raises(UsageError, match="has no state"):
        search.parse_states(ct, ["case=on_the_moon"])
    with pytest.raises(UsageError, match="ends before it starts"):
        search.day_range("2016-02-01", "2016-01-01", "opened")
    with pytest.raises(NotPermitted, match="MPS cases only"):
        search.search(ct, Criteria(force="WYP"), "audit")
    ct.close()


def test_a_police_user_finds_only_their_forces_cases(cases):
    ct, _, _ = cases
    admin = Casetracker(ct.url, role="admin")
    me = ct.actor.user
    admin.save_user(me, me, ("admin", "police", "immigration_officer", "casework"), "WYP")
    admin.close()
    wyp = Casetracker(ct.url, role="police")
    assert _by(wyp, name="zoe") == []
    wyp.close()
    io = Casetracker(ct.url, role="immigration_officer")  # not bound to a force
    assert _by(io, name="zoe")
    io.close()
    ct.close()
