"""The demo database as a newcomer first meets it (a trainer's walk-through found each gap).

- Four eyes could not be completed: no seeded user was a superintendent, so pc.demo's proposal
  to extend detention could only be withdrawn or lapse, while the extension itself was offered
  directly with nothing saying a live database refuses it.
- The referrals report contradicted the README: arrests recorded "unknown" were left out.
- It went stale: nothing made it afresh once its clocks had run out.
"""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime

import pytest

from casetracker.domain import clock
from casetracker.domain.errors import UsageError
from casetracker.domain.identity import SEEDED_POLICE
from casetracker.domain.queues import case_force
from casetracker.services import four_eyes, worklists
from casetracker.services.cases import Casetracker
from casetracker.services.demo import FORCES, apportion, build_demo, discard_demo, route_rates
from casetracker.services.registry import organisation
from casetracker.services.reports import read_report, referrals
from casetracker.services.setup import create_database
from casetracker.services.synthetic_plan import profiles

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CASES = 40


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sandbox-demo') / 'demo.db'}"
    clock.set_clock(lambda: NOW)
    try:
        build_demo(url, CASES)
    finally:
        clock.set_clock(None)
    return url


@pytest.fixture
def at_now(demo: str):
    clock.set_clock(lambda: NOW)
    yield demo
    clock.set_clock(None)


def _mps_in_custody(url: str) -> str:
    """A generated MPS case whose arrest is still in its first PACE day."""
    with closing(Casetracker(url, as_user="audit.demo")) as auditor:
        for n in range(3, CASES + 3):
            view = auditor.replay(f"C-{n:07d}")[0]
            held = [e for e in view.of("encounter") if e.state == "in_custody"]
            if case_force(view) == "MPS" and held:
                return view.case_id
    raise AssertionError("the demo has no MPS arrest in custody")


def test_every_demo_force_has_a_superintendent_in_the_picker(demo: str) -> None:
    with closing(Casetracker(demo, as_user="admin.demo")) as admin:
        users = admin.users()
    marked = {u.force: u.name for u in users if u.superintendent}
    assert set(marked) == set(SEEDED_POLICE)
    assert all("police" in u.roles for u in users if u.superintendent)


def test_a_proposed_extension_is_authorised_by_the_forces_superintendent(at_now: str) -> None:
    case_id = _mps_in_custody(at_now)
    with closing(Casetracker(at_now, as_user="pc.demo")) as pc:
        proposed = four_eyes.propose(pc, case_id, "extend_detention")
    with closing(Casetracker(at_now, as_user="supt.demo")) as supt:
        assert case_id in {r.case_id for r in worklists.page(supt, "authorise_extension")}
        number = int(proposed.instance.partition("#")[2])
        done = four_eyes.authorise(supt, case_id, number)
    assert [e.action for e in done.events] == ["authorise_proposal", "extend_detention"]
    assert done.events[-1].actor_user == "supt.demo"


def test_the_direct_extension_says_why_the_demo_allows_it(at_now: str) -> None:
    case_id = _mps_in_custody(at_now)
    with closing(Casetracker(at_now, as_user="pc.demo")) as pc:
        _, options = pc.options(case_id)
    extend = next(o for o in options if o.spec.name == "extend_detention")
    assert not any(b.rule == "four_eyes" for b in extend.blocks)
    assert "live needs a superintendent" in extend.spec.label
    assert "live database refuses it" in extend.spec.help


def test_the_referrals_report_counts_every_planned_arrest(demo: str) -> None:
    """Every generated arrest has EEA or non-EEA recorded, as the report counts foreign
    nationals (¶3.1), so each force's row is the plan: arrests and CCU referrals alike.  An
    arrest recorded "unknown" was left out, and West Yorkshire read 19.2% through CCU (5 of 26)
    where the plan gives 5 of 38."""
    known = {p.code: p for p in profiles(organisation())}
    planned = apportion(CASES, dict(FORCES))
    with closing(Casetracker(demo, as_user="audit.demo")) as auditor:
        table = read_report(auditor, referrals, year=NOW.year)
    rows = {row[0]: row for row in table.rows}
    for force, arrests in planned.items():
        ccu = apportion(arrests, route_rates(known[force]))["ccu"]
        assert (force, rows[force][1], rows[force][2]) == (force, arrests, ccu)
    assert any("(¶3.1)" in note for note in table.notes)


def test_fresh_replaces_the_demo_database_and_nothing_else(tmp_path) -> None:
    """`casetracker demo --fresh` deletes only a database marked demo; a live or training one
    (or any other file) at the demo's path is refused and left untouched."""
    demo_path = tmp_path / "demo.db"
    assert not discard_demo(demo_path)
    create_database(f"sqlite:///{demo_path}", "demo")
    assert discard_demo(demo_path) and not demo_path.exists()
    for realm in ("live", "training"):
        create_database(f"sqlite:///{demo_path}", realm)
        before = demo_path.read_bytes()
        with pytest.raises(UsageError, match=f"is a {realm} database, not a demo one"):
            discard_demo(demo_path)
        assert demo_path.read_bytes() == before
        demo_path.unlink()
    demo_path.write_text("my notes")
    with pytest.raises(UsageError, match="not a demo database"):
        discard_demo(demo_path)
    assert demo_path.read_text() == "my notes"
