"""Four eyes through the service (issue 16 item 3), attacked: the same person authorising, the
wrong role, a PACE extension by a police user not marked a superintendent, a lapsed proposal,
an authorisation replayed, the action taken directly.  Each refusal leaves the log as it was.

On SQLite the person is the operating-system account: a test becomes another person by
answering ``os_account`` for them (``as_person``), as a second login would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from casetracker.adapters import users
from casetracker.adapters.database import write_transaction
from casetracker.domain import clock
from casetracker.domain.errors import ActionBlocked, NotPermitted, UsageError
from casetracker.services import four_eyes, work, worklists
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database, open_database

START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
ARREST = {
    "offence": "theft",
    "offence_category": "theft",
    "force": "MPS",
    "custody_suite": "Croydon",
}


@pytest.fixture
def url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    clock.set_clock(lambda: START + timedelta(hours=1))
    me = users.os_account()
    create_database(sqlite_url, "live", ("admin",))
    engine, _ = open_database(sqlite_url)
    with write_transaction(engine) as conn:
        users.save_user(conn, me, me, ("admin",))
        users.save_user(conn, "pc.one", "PC One", ("police",), "MPS")
        users.save_user(conn, "pc.two", "PC Two", ("police",), "MPS")
        users.save_user(conn, "supt.one", "Supt One", ("police",), "MPS", superintendent=True)
        users.save_user(conn, "supt.wyp", "Supt WYP", ("police",), "WYP", superintendent=True)
        users.save_user(conn, "io.one", "IO One", ("immigration_officer",))
        users.save_user(conn, "io.two", "IO Two", ("immigration_officer",))
        users.save_user(conn, "cw.one", "CW One", ("casework",))
    engine.dispose()
    monkeypatch.setattr(users, "os_account", lambda: PERSON[0])
    PERSON[0] = me
    return sqlite_url


PERSON = [""]


@contextmanager
def as_person(url: str, name: str, role: str | None = None) -> Iterator[Casetracker]:
    PERSON[0] = name
    ct = Casetracker(url, role=role)
    try:
        yield ct
    finally:
        ct.close()


def _in_custody(url: str) -> str:
    with as_person(url, "pc.one") as ct:
        case_id = ct.open_case({"name": "A Person", "force": "MPS"}, "2026-01-01").case_id
        ct.act(case_id, "arrest", ARREST, START.isoformat())
        return case_id


def _log(url: str, case_id: str) -> list[tuple[str, str]]:
    with as_person(url, "supt.one") as ct:
        return [(e.action, e.actor_user) for e in ct.store.read_case(case_id)]


def test_extension_taken_directly_is_refused_in_a_live_database(url):
    case_id = _in_custody(url)
    before = _log(url, case_id)
    with as_person(url, "supt.one") as ct:
        fields = {"superintendent_authority": "myself"}
        with pytest.raises(ActionBlocked, match="needs the authorisation of a superintendent"):
            ct.act(case_id, "extend_detention", fields)
        _, options = ct.options(case_id)
        extend = next(o for o in options if o.spec.name == "extend_detention")
        assert not extend.allowed and any(b.rule == "four_eyes" for b in extend.blocks)
    assert _log(url, case_id) == before


def test_proposed_then_authorised_by_a_superintendent(url):
    case_id = _in_custody(url)
    with as_person(url, "pc.one") as ct:
        proposed = four_eyes.propose(ct, case_id, "extend_detention")
        assert proposed.instance == "authorisation#1" and proposed.state == "proposed"
    with as_person(url, "supt.one") as ct:
        queue = worklists.page(ct, "authorise_extension")
        assert [(r.case_id, r.item) for r in queue] == [(case_id, "authorisation#1")]
        done = four_eyes.authorise(ct, case_id, 1)
        assert [e.action for e in done.events] == ["authorise_proposal", "extend_detention"]
        assert all(e.actor_user == "supt.one" for e in done.events)
        assert done.events[-1].data["authorisation"] == {
            "proposal": "authorisation#1",
            "proposed_by": "pc.one",
        }
        assert not worklists.page(ct, "authorise_extension")
        view = ct.show(case_id).view
        assert view.instances["encounter#1"].last("extend_detention") is not None
        assert view.instances["authorisation#1"].state == "authorised"


def test_the_proposer_may_not_authorise_their_own_proposal(url):
    case_id = _in_custody(url)
    with as_person(url, "supt.one") as ct:
        four_eyes.propose(ct, case_id, "extend_detention")
    before = _log(url, case_id)
    with (
        as_person(url, "supt.one") as ct,
        pytest.raises(ActionBlocked, match="the same person may not authorise"),
    ):
        four_eyes.authorise(ct, case_id, 1)
    assert _log(url, case_id) == before


def test_a_police_user_not_marked_superintendent_may_not_authorise(url):
    case_id = _in_custody(url)
    with as_person(url, "pc.one") as ct:
        four_eyes.propose(ct, case_id, "extend_detention")
    before = _log(url, case_id)
    with (
        as_person(url, "pc.two") as ct,
        pytest.raises(ActionBlocked, match="not marked a superintendent"),
    ):
        four_eyes.authorise(ct, case_id, 1)
    with (
        as_person(url, "io.one") as ct,
        pytest.raises(ActionBlocked, match=r"immigration_officer role may not authorise"),
    ):  # the wrong role: and it is not their force's case
        four_eyes.authorise(ct, case_id, 1)
    with (
        as_person(url, "supt.wyp") as ct,
        pytest.raises(Exception, match=r"unknown case|no case"),
    ):  # a superintendent of another force sees no case
        four_eyes.authorise(ct, case_id, 1)
    assert _log(url, case_id) == before


def test_a_lapsed_proposal_cannot_be_authorised_and_tick_records_it(url):
    case_id = _in_custody(url)
    with as_person(url, "pc.one") as ct:
        four_eyes.propose(ct, case_id, "extend_detention")
    clock.set_clock(lambda: START + timedelta(hours=3, minutes=1))  # proposed at +1 h, lapses +3 h
    with as_person(url, "supt.one") as ct:
        with pytest.raises(ActionBlocked, match="lapsed"):
            four_eyes.authorise(ct, case_id, 1)
        done = work.tick(ct)
        kinds = [d.kind for _, d in done.recorded]
        assert "proposal_lapse" in kinds
        assert not worklists.page(ct, "authorise_extension")
        assert work.tick(ct).recorded == []  # once


def test_an_authorisation_replayed_is_refused(url):
    case_id = _in_custody(url)
    with as_person(url, "pc.one") as ct:
        four_eyes.propose(ct, case_id, "extend_detention")
    with as_person(url, "supt.one") as ct:
        four_eyes.authorise(ct, case_id, 1)
    before = _log(url, case_id)
    with as_person(url, "supt.one") as ct:
        with pytest.raises(ActionBlocked, match="already authorised"):
            four_eyes.authorise(ct, case_id, 1)
        with pytest.raises(ActionBlocked, match="recorded with the action it authorises"):
            ct.act(case_id, "authorise_proposal", {}, instance=1)
    assert _log(url, case_id) == before


def test_a_typed_proposer_name_is_refused(url):
    case_id = _in_custody(url)
    with (
        as_person(url, "pc.one") as ct,
        pytest.raises(UsageError, match="filled in by casetracker"),
    ):
        ct.act(
            case_id,
            "propose_action",
            {
                "proposed_action": "extend_detention",
                "target": "encounter#1",
                "proposed_by": "pc.two",
            },
        )


def _at_liberty(url: str) -> str:
    with as_person(url, "io.one") as ct:
        return ct.open_case({"name": "A Person", "force": "MPS"}, "2026-01-01").case_id


def test_detention_needs_a_second_home_office_user(url):
    case_id = _at_liberty(url)
    with as_person(url, "io.one") as ct:
        with pytest.raises(ActionBlocked, match="second Home Office user"):
            ct.act(case_id, "detain_under_immigration_powers", {})
        four_eyes.propose(ct, case_id, "detain_under_immigration_powers")
        with pytest.raises(ActionBlocked, match="already proposed"):
            four_eyes.propose(ct, case_id, "detain_under_immigration_powers")
    with (
        as_person(url, "pc.one") as ct,
        pytest.raises(NotPermitted),
    ):  # the police are not the Home Office
        four_eyes.propose(ct, case_id, "detain_under_immigration_powers")
    with as_person(url, "cw.one") as ct:
        rows = worklists.page(ct, "authorise_home_office")
        assert [r.item for r in rows] == ["authorisation#1"]
        done = four_eyes.authorise(ct, case_id, 1)
        assert done.state == "immigration_detention"
        assert [e.actor_user for e in done.events] == ["cw.one", "cw.one"]


def test_removal_directions_carry_the_proposed_fields(url):
    case_id = _at_liberty(url)
    with as_person(url, "io.one") as ct:
        with pytest.raises(UsageError, match="no field"):
            four_eyes.propose(ct, case_id, "set_removal_directions", {"bogus": "1"})
        four_eyes.propose(ct, case_id, "set_removal_directions", {"removal_date": "2026-02-01"})
    with as_person(url, "io.two") as ct:  # removal is not liable: the rules still decide
        with pytest.raises(ActionBlocked, match="Set removal directions"):
            four_eyes.authorise(ct, case_id, 1)
        view = ct.show(case_id).view
        step = view.instances["authorisation#1"].first("propose_action")
        assert step is not None and '"removal_date":"2026-02-01"' in step.fields[
            "proposed_fields"
        ].replace(" ", "")


def test_a_rejection_by_another_and_a_withdrawal_by_the_proposer(url):
    case_id = _at_liberty(url)
    with as_person(url, "io.one") as ct:
        four_eyes.propose(ct, case_id, "detain_under_immigration_powers")
    with as_person(url, "io.two") as ct:
        four_eyes.reject(ct, case_id, 1, "no grounds yet")
        with pytest.raises(ActionBlocked, match="already rejected"):
            four_eyes.authorise(ct, case_id, 1)
        four_eyes.propose(ct, case_id, "detain_under_immigration_powers")
        four_eyes.reject(ct, case_id, 2, "withdrawn")  # one's own: a withdrawal
    with as_person(url, "io.one") as ct:
        view = ct.show(case_id).view
        assert view.instances["authorisation#2"].state == "rejected"
        assert "detention" not in view.instances  # nothing was detained
