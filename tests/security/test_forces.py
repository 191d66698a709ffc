"""Police forces are separate data controllers (issue 13, item 3): an officer of one force can
neither see, list, find, export nor act on another force's case, and every refusal is logged;
Home Office roles and auditors see every force's cases.  Service-level tests run on SQLite and
PostgreSQL; the user commands run through the CLI."""

from __future__ import annotations

import json
from contextlib import closing

import pytest

from casetracker.adapters import access_log
from casetracker.adapters.database import read_transaction
from casetracker.domain.errors import NotPermitted, UnknownCase
from casetracker.services import worklists
from casetracker.services.cases import Casetracker
from casetracker.services.disclosure import export_bundle
from casetracker.services.setup import create_database

ARREST = {"offence": "shoplifting", "offence_category": "theft", "custody_suite": "Croydon"}


@pytest.fixture
def url(db_url) -> str:
    create_database(db_url, "demo")  # seeded users: pc.demo (MPS), pc.wmp, pc.wyp, …
    return db_url


@pytest.fixture
def users(url):
    found = {
        name: Casetracker(url, as_user=name)
        for name in ("pc.demo", "pc.wmp", "io.demo", "audit.demo", "admin.demo")
    }
    yield found
    for service in found.values():
        service.close()


def _arrested(officer: Casetracker, force: str = "") -> str:
    """A case the officer opens and an arrest in custody (in ``force``, else theirs)."""
    case_id = officer.open_case({"name": "Sam Synthetic"}, "2015-06-01T10:00").case_id
    where = force or officer.actor.force
    officer.act(case_id, "arrest", {**ARREST, "force": where}, "2015-06-01T10:05")
    officer.act(case_id, "enter_police_custody", {}, "2015-06-01T10:06")
    return case_id


def _denials(url: str, user: str) -> list[dict]:
    with (
        closing(Casetracker(url, as_user="audit.demo")) as auditor,
        auditor.engine.connect() as conn,
    ):
        found = access_log.entries(conn)
    return [
        {"case_id": e.case_id, **json.loads(e.detail)}
        for e in found
        if e.action == "denied" and e.user == user
    ]


def test_an_officer_belongs_to_a_force(users):
    assert users["pc.demo"].actor.force == "MPS"  # the demo's officer is unchanged: the Met's
    assert users["pc.wmp"].actor.force == "WMP"
    assert users["io.demo"].actor.force == ""


def test_an_officer_cannot_read_another_forces_case(url, users):
    mps = _arrested(users["pc.demo"])
    wmp = users["pc.wmp"]
    with pytest.raises(UnknownCase) as missing:
        wmp.show("C-9999999")
    for read in (
        lambda: wmp.show(mps),
        lambda: wmp.show(mps, reason="identify the person"),
        lambda: wmp.history(mps),
        lambda: wmp.replay(mps, as_of="2015-06-02"),
        lambda: wmp.options(mps),
    ):
        with pytest.raises(UnknownCase) as refused:
            read()
        # Word for word what a case that does not exist gets: nothing confirms it is there.
        assert str(refused.value) == str(missing.value).replace("C-9999999", mps)
    denied = _denials(url, "pc.wmp")
    assert [d["attempted"] for d in denied] == ["show", "show", "history", "replay", "actions"]
    assert all(d["case_id"] == mps for d in denied)
    assert all("MPS" not in json.dumps(d) for d in denied)  # the log names only the asker's force


def test_an_officer_cannot_act_on_another_forces_case(url, users):
    mps = _arrested(users["pc.demo"])
    wmp = users["pc.wmp"]
    for action, fields, instance in (
        ("add_note", {"text": "x"}, None),
        ("release_without_charge", {}, 1),
    ):
        with pytest.raises(UnknownCase):
            wmp.act(mps, action, fields, "2015-06-01T11:00", instance=instance)
    with pytest.raises(UnknownCase):
        wmp.act(mps, "add_note", {"text": "x"}, idempotency_key="k1")
    assert users["io.demo"].show(mps).version == 3  # nothing was recorded
    assert len(_denials(url, "pc.wmp")) == 3


def test_an_officer_opens_cases_for_their_own_force_only(url, users):
    wmp = users["pc.wmp"]
    opened = wmp.open_case({"name": "Sam Synthetic"}, "2015-06-01T10:00")
    # The opening records the officer's force, so the case stays theirs until an arrest.
    assert json.loads(opened.events[0].payload)["fields"]["force"] == "WMP"
    assert wmp.show(opened.case_id).case_id == opened.case_id
    with pytest.raises(UnknownCase):
        users["pc.demo"].show(opened.case_id)
    with pytest.raises(NotPermitted, match="opens cases for WMP only"):
        wmp.open_case({"name": "Sam Synthetic", "force": "MPS"}, "2015-06-01T10:00")
    assert _denials(url, "pc.wmp")[-1]["attempted"] == "open_case"


def test_an_officer_neither_lists_nor_finds_another_forces_case(users):
    mps = _arrested(users["pc.demo"])
    wmp_case = _arrested(users["pc.wmp"])
    wmp = users["pc.wmp"]
    assert [i.case_id for i in worklists.page(wmp, "custody")] == [wmp_case]
    assert worklists.count(wmp, "custody") == 1
    assert worklists.page(wmp, "custody", mps) == []  # a search by case id finds nothing
    assert worklists.page(wmp, "custody", "MPS") == []  # nor by the other force's code
    assert worklists.page(wmp, "custody", "shoplifting") != []
    assert all(i.force == "WMP" for i in worklists.page(wmp, "custody", "shoplifting"))
    assert worklists.page(wmp, "all") == []  # officers work no "All cases" list
    home_office = {i.case_id for i in worklists.page(users["admin.demo"], "custody")}
    assert home_office == {mps, wmp_case}


def test_an_officer_cannot_export_another_forces_case(url, users, tmp_path):
    mps = _arrested(users["pc.demo"])
    with pytest.raises(NotPermitted):
        export_bundle(users["pc.wmp"], [mps], "curious", tmp_path / "out.bundle")
    assert not (tmp_path / "out.bundle").exists()
    assert _denials(url, "pc.wmp")[-1]["attempted"] == "export cases"


def test_home_office_and_auditors_see_every_force(url, users):
    cases = [_arrested(users["pc.demo"]), _arrested(users["pc.wmp"])]
    for name in ("io.demo", "audit.demo"):
        for case_id in cases:
            assert users[name].show(case_id).case_id == case_id
    with read_transaction(users["io.demo"].engine) as conn:
        reads = [(e.user, e.case_id) for e in access_log.entries(conn) if e.action == "show"]
    assert [r for r in reads if r[0] == "audit.demo"] == [("audit.demo", c) for c in cases]


def test_a_case_with_arrests_by_two_forces_is_visible_to_both(users):
    case_id = _arrested(users["pc.demo"])
    users["pc.demo"].act(case_id, "release_without_charge", {}, "2015-06-01T18:00", instance=1)
    users["pc.demo"].act(case_id, "arrest", {**ARREST, "force": "WMP"}, "2015-07-01T10:00")
    for officer in ("pc.demo", "pc.wmp"):
        assert users[officer].show(case_id).case_id == case_id
    wmp_queue = worklists.page(users["pc.wmp"], "custody")
    assert [(i.case_id, i.item) for i in wmp_queue] == [(case_id, "encounter#2")]
    users["pc.wmp"].act(case_id, "add_note", {"text": "seen"}, "2015-07-01T11:00")


def test_an_officer_without_a_force_sees_nothing(url, users):
    users["admin.demo"].save_user("pc.nowhere", "PC Nowhere", ("police",))
    mps = _arrested(users["pc.demo"])
    with closing(Casetracker(url, as_user="pc.nowhere")) as nowhere:
        with pytest.raises(NotPermitted, match="belongs to no police force"):
            nowhere.show(mps)
        with pytest.raises(NotPermitted, match="belongs to no police force"):
            nowhere.open_case({"name": "Sam Synthetic"}, "2015-06-01T10:00")
        assert worklists.page(nowhere, "custody") == []
        assert worklists.count(nowhere, "custody") == 0
    assert [d["attempted"] for d in _denials(url, "pc.nowhere")] == ["show", "open_case"]


# ---------------------------------------------------------------------- the user commands


def test_user_add_gives_a_police_user_a_force(db, run):
    added = run("--db", db, "user", "add", "pc.west", "--roles", "police", "--force", "wmp")
    assert added.code == 0, added.err
    listed = run("--db", db, "user", "list", "--json")
    forces = {u["name"]: u["force"] for u in listed.json["users"]}
    assert forces["pc.west"] == "WMP"
    assert "WMP" in run("--db", db, "user", "list").out


@pytest.mark.parametrize(
    ("roles", "force", "message"),
    [
        ("casework", "WMP", "only for police users"),
        ("police", "XYZ", "not a configured police force"),
    ],
)
def test_user_add_refuses_a_force_that_cannot_be(db, run, roles, force, message):
    result = run("--db", db, "user", "add", "someone", "--roles", roles, "--force", force)
    assert result.code == 2 and message in result.err
    assert "someone" not in run("--db", db, "user", "list").out
