"""Deadlines that fire, named owners and bulk work, through the service (issue 16, items 1, 2, 6).

Each test runs on SQLite and on PostgreSQL (``db_url``).  The clock is fixed and moved by hand,
so "a day later" is a value, not a wait.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from casetracker.adapters.database import read_transaction
from casetracker.domain import clock
from casetracker.domain.errors import ActionBlocked, Conflict, NotPermitted, UsageError
from casetracker.domain.ownership import HeldByAnother
from casetracker.services import work, worklists
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from tests.helpers import police_of

ARREST = {
    "offence": "theft",
    "offence_category": "theft",
    "force": "MPS",
    "custody_suite": "Croydon",
}
START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment
        clock.set_clock(lambda: self.moment)

    def advance(self, **kw: Any) -> None:
        self.moment += timedelta(**kw)


@pytest.fixture
def now() -> Clock:
    return Clock(START)


@pytest.fixture
def url(db_url: str) -> str:
    create_database(db_url, "live", ("admin", "police", "supervisor", "immigration_officer"))
    police_of(db_url, "MPS")
    return db_url


def _service(url: str, role: str = "police") -> Casetracker:
    return Casetracker(url, role=role)


def _arrested(ct: Casetracker, at: datetime = START) -> str:
    case_id = ct.open_case({"name": "A Person", "force": "MPS"}, "2026-01-01").case_id
    ct.act(case_id, "arrest", ARREST, at.isoformat())
    return case_id


def _register(url: str, name: str, roles: tuple[str, ...], force: str = "") -> None:
    admin = _service(url, "admin")
    try:
        admin.save_user(name, name, roles, force)
    finally:
        admin.close()


def _events(ct: Casetracker, case_id: str) -> list[Any]:
    return ct.store.read_case(case_id)


def _count(url: str, table: str) -> int:
    ct = _service(url)
    try:
        with read_transaction(ct.engine) as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        ct.close()


# ---------------------------------------------------------------------- deadlines


def test_due_lists_what_the_events_give(url: str, now: Clock) -> None:
    ct = _service(url)
    case_id = _arrested(ct)
    rows = work.due(ct)
    assert [(r.case_id, r.kind, r.due) for r in rows] == [
        (case_id, "pace_extension", "2026-01-06T16:00:00Z"),
        (case_id, "pace_expiry", "2026-01-06T18:00:00Z"),
    ]
    assert work.due(ct, now.moment) == []  # nothing has fallen due yet
    ct.close()


def test_tick_records_each_passed_deadline_once_as_system(url: str, now: Clock) -> None:
    ct = _service(url)
    case_id = _arrested(ct)
    assert work.tick(ct).recorded == []
    now.advance(hours=23)  # past the point to ask for an extension, before expiry
    first = work.tick(ct)
    assert [d.kind for _, d in first.recorded] == ["pace_extension"]
    assert work.tick(ct).recorded == []  # idempotent: run again, nothing new
    now.advance(days=3)  # two runs missed: caught up once, by the next
    assert [d.kind for _, d in work.tick(ct).recorded] == ["pace_expiry"]
    assert work.tick(ct).recorded == []
    passed = [e for e in _events(ct, case_id) if e.action == "deadline_passed"]
    assert [(e.actor_user, e.actor_role) for e in passed] == [("system", "system")] * 2
    assert [e.effective for e in passed] == ["2026-01-06T16:00:00Z", "2026-01-06T18:00:00Z"]
    assert passed[1].recorded.startswith("2026-01-09T17")  # when the system noticed
    assert ct.verify().ok
    ct.close()


def test_a_deadline_met_late_is_still_recorded_once(url: str, now: Clock) -> None:
    ct = _service(url)
    case_id = _arrested(ct)
    now.advance(days=2)
    ct.act(case_id, "release_without_charge", {}, (START + timedelta(hours=30)).isoformat())
    kinds = sorted(d.kind for _, d in work.tick(ct).recorded)
    assert kinds == ["pace_expiry", "pace_extension"]
    assert work.tick(ct).recorded == []
    ct.close()


def test_two_ticks_at_once_record_each_deadline_once(url: str, now: Clock) -> None:
    ct = _service(url)
    cases = [_arrested(ct) for _ in range(6)]
    ct.close()
    now.advance(days=2)
    machines = [_service(url) for _ in range(2)]
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(one: Casetracker) -> None:
        start.wait()
        try:
            results.append(work.tick(one))
        except BaseException as exc:  # reported below: a tick must not fail for a race
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in machines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(r.recorded) for r in results) == 2 * len(cases)
    for case_id in cases:
        passed = [e for e in _events(machines[0], case_id) if e.action == "deadline_passed"]
        assert len(passed) == 2
    assert _count(url, "deadlines") == 0
    for machine in machines:
        machine.close()


def test_nobody_acts_as_system(url: str, now: Clock) -> None:
    ct = _service(url)
    case_id = _arrested(ct)
    before = len(_events(ct, case_id))
    fields = {"deadline": "x", "kind": "pace_expiry", "item": "encounter#1", "due": "2026-01-06"}
    with pytest.raises(NotPermitted):
        ct.act(case_id, "deadline_passed", fields)
    with pytest.raises(UsageError):
        _register(url, "system", ("admin",))
    with pytest.raises(UsageError):
        _register(url, "someone", ("system",))
    with pytest.raises(NotPermitted):
        _ = Casetracker(url, role="system").actor
    assert len(_events(ct, case_id)) == before
    ct.close()


# ---------------------------------------------------------------------- owners


def test_claim_release_reassign_and_my_work(url: str, now: Clock) -> None:
    ct = _service(url)
    _register(url, "pc.two", ("police",), "MPS")
    case_id = _arrested(ct)
    me = ct.actor.user
    claimed = work.claim(ct, case_id, "custody", "encounter#1")
    assert claimed.events[-1].action == "claim_item"
    mine = worklists.page(ct, "mine")
    assert [(i.case_id, i.queue, i.owner) for i in mine] == [(case_id, "custody", me)]
    assert mine[0].deadline == "2026-01-06T16:00:00Z"
    with pytest.raises(ActionBlocked, match="you already hold"):
        work.claim(ct, case_id, "custody", "encounter#1")
    with pytest.raises(ActionBlocked, match="not in the queue"):
        work.claim(ct, case_id, "custody", "encounter#7")
    with pytest.raises(NotPermitted):
        work.reassign(ct, case_id, "custody", "encounter#1", "pc.two")  # police: not a supervisor
    boss = _service(url, "supervisor")
    with pytest.raises(ActionBlocked, match="not an active registered user"):
        work.reassign(boss, case_id, "custody", "encounter#1", "nobody")
    work.reassign(boss, case_id, "custody", "encounter#1", "pc.two")
    assert worklists.page(ct, "mine") == []
    assert worklists.page(ct, "custody")[0].owner == "pc.two"
    with pytest.raises(ActionBlocked, match=r"held by pc\.two"):
        work.release(ct, case_id, "custody", "encounter#1")
    with pytest.raises(UsageError, match="your own"):
        ct.act(case_id, "claim_item", {"queue": "custody", "item": "encounter#1", "owner": "x"})
    boss.close()
    ct.close()


def test_acting_on_an_item_another_holds_needs_confirmation(url: str, now: Clock) -> None:
    ct = _service(url)
    _register(url, "pc.two", ("police",), "MPS")
    case_id = _arrested(ct)
    boss = _service(url, "supervisor")
    work.reassign(boss, case_id, "custody", "encounter#1", "pc.two")
    now.advance(hours=3)
    before = len(_events(ct, case_id))
    with pytest.raises(HeldByAnother, match=r"held by pc\.two"):
        ct.act(case_id, "release_without_charge", {}, "2026-01-05T20:00")
    assert len(_events(ct, case_id)) == before  # refused: nothing written
    done = ct.act(case_id, "release_without_charge", {}, "2026-01-05T20:00", take_over=True)
    assert '"held_by":[{"owner":"pc.two","queue":"custody"}]' in done.events[-1].payload
    ct.act(case_id, "add_note", {"text": "the case file is nobody's item"})  # not asked
    boss.close()
    ct.close()


def test_a_race_to_claim_is_decided_by_the_version(url: str, now: Clock) -> None:
    ct = _service(url)
    case_id = _arrested(ct)
    version = ct.store.case_head(case_id).version
    boss = _service(url, "supervisor")
    _register(url, "pc.two", ("police",), "MPS")
    work.reassign(boss, case_id, "custody", "encounter#1", "pc.two", expected_version=version)
    with pytest.raises(Conflict):
        work.claim(ct, case_id, "custody", "encounter#1", expected_version=version)
    boss.close()
    ct.close()


# ---------------------------------------------------------------------- bulk


def test_one_action_on_several_cases_each_on_its_own(url: str, now: Clock) -> None:
    ct = _service(url)
    first, second = _arrested(ct), _arrested(ct)
    now.advance(hours=3)
    ct.act(second, "release_without_charge", {}, "2026-01-05T19:00")
    outcomes = work.act_on_each(ct, [first, second, "C-0000099"], "bail", {}, "2026-01-05T20:00")
    assert [o.done for o in outcomes] == [True, False, False]
    assert outcomes[1].blocks and "released" in str(outcomes[1].blocks[0]).lower()
    assert "C-0000099" in outcomes[2].error
    with pytest.raises(UsageError):  # malformed for every case: nothing written, exit 2
        work.act_on_each(ct, [first, second], "add_note", {"nonsense": "x"})
    ct.close()


# ---------------------------------------------------------------------- the change feed


def test_the_change_feed_says_when_anyone_recorded(url: str, now: Clock) -> None:
    """On PostgreSQL the feed LISTENs (migration 0009 NOTIFYs on every insert into events);
    on SQLite it compares the log's last position.  A notification travels over a socket, so
    the feed is asked until it says so, a bounded number of times."""
    ct = _service(url)
    feed = worklists.change_feed(ct)
    try:
        assert not feed.changed()  # the first reading
        assert not feed.changed()
        other = _service(url)
        _arrested(other)
        other.close()
        assert any(feed.changed() for _ in range(2000))
        assert not feed.changed()
    finally:
        feed.close()
        ct.close()
