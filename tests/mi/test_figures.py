"""The generated 2015 data reproduces the report's figures, within stated tolerances.

Figures: ¶3.1 (about a third of arrests by MPS), ¶4.8 (over half to CCU overall, under 30%
outside London), ¶4.10 (WMP just over a third), ¶4.11 and fn 13 (WYP under 15%; 2,920 people
referred directly, 881 calls to CCU), ¶4.21 (release before an IO is likelier out of hours).
Counts scale with the number of arrests generated; each count tolerance is the larger of a
relative margin and four standard deviations of a Poisson count, so it holds at 20,000 arrests
as at 190,000.  The data is deterministic for the seed, so these results do not vary by run.
"""

from __future__ import annotations

import math

import pytest

from casetracker.adapters.database import read_transaction
from casetracker.adapters.organisation_file import configured
from casetracker.adapters.store import stored_event
from casetracker.integrity.encoding import STORED_COLUMNS
from casetracker.services import reports as mi_reports
from casetracker.services import synthetic_plan as plan
from casetracker.services.cases import Casetracker
from tests.mi.conftest import build


def _rows(service, **kw) -> dict[str, dict]:
    with read_transaction(service.engine) as conn:
        table = mi_reports.referrals(conn, 2015, **kw)
    return {row["force"]: row for row in table.as_dict()["rows"]}


def _near(found: int, expected: float, relative: float) -> None:
    margin = max(relative * expected, 4 * math.sqrt(expected))
    assert abs(found - expected) <= margin, (found, expected, margin)


def test_arrests_and_mps_share(service, year_2015):
    calls = _rows(service, count="calls")
    assert calls["All forces"]["arrested"] == year_2015.arrests
    share = calls["MPS"]["arrested"] / year_2015.arrests
    assert abs(share - 1 / 3) <= 0.02, share  # ¶3.1 "approximately a third"


def test_ccu_rates_overall_outside_london_wmp_wyp(service):
    calls = _rows(service, count="calls")
    assert 0.50 < calls["All forces"]["ccu_rate"] <= 0.56  # ¶4.8 "more than half"
    assert 0.24 <= calls["Outside London"]["ccu_rate"] < 0.30  # ¶4.8 "less than 30%"
    assert 1 / 3 < calls["WMP"]["ccu_rate"] <= 0.40  # ¶4.10 "just over a third"
    assert 0.10 <= calls["WYP"]["ccu_rate"] < 0.15  # ¶4.11 "less than 15%"


def test_wyp_counts_people_and_calls(service, year_2015):
    scale = year_2015.arrests / plan.REPORT_ARRESTS
    people, calls = _rows(service, count="people"), _rows(service, count="calls")
    _near(people["WYP"]["local_any"], plan.WYP_DIRECT_PEOPLE * scale, 0.07)  # 2,920 people
    _near(calls["WYP"]["ccu"], plan.WYP_CCU_CALLS * scale, 0.10)  # 881 calls
    # fn 13: repeat calls and repeat arrests make the two units differ, and the report says so.
    assert people["WYP"]["ccu"] < calls["WYP"]["ccu"]
    assert people["All forces"]["arrested"] < calls["All forces"]["arrested"]
    assert {r["unit"] for r in people.values()} == {"people"}
    assert {r["unit"] for r in calls.values()} == {"calls"}


def test_release_before_io_likelier_out_of_hours(service):
    with read_transaction(service.engine) as conn:
        rows = mi_reports.releases(conn, 2015).as_dict()["rows"]
    total = next(r for r in rows if r["force"] == "All")
    assert total["before_io"] > 0
    assert total["rate_out_of_hours"] > total["rate_in_hours"] + 0.15  # ¶4.21


def test_every_generated_event_verifies(service):
    report = service.verify()
    assert report.ok, (report.damaged[:3], report.problems[:3])


_EVERY_EVENT = f"SELECT {', '.join(STORED_COLUMNS)} FROM events ORDER BY position"


def _content(url: str) -> list[tuple]:
    ct = Casetracker(url, as_user="admin.demo")
    try:
        with read_transaction(ct.engine) as conn:
            rows = [
                (e.case_id, e.seq, e.workflow, e.instance, e.action, e.actor_role, e.effective,
                 e.idempotency_key, e.payload)
                for e in map(stored_event, conn.exec_driver_sql(_EVERY_EVENT))
            ]  # fmt: skip
    finally:
        ct.close()
    # Personal digests use a fresh random salt per subject; everything else is the seed's.
    import json

    return [
        (*r[:8], json.dumps({k: v for k, v in json.loads(r[8]).items() if k != "personal"}))
        for r in rows
    ]


def test_deterministic_for_a_seed(tmp_path):
    one = build(str(tmp_path / "a.db"), 400, seed=5, workers=2)
    two = build(str(tmp_path / "b.db"), 400, seed=5, workers=1)
    other = build(str(tmp_path / "c.db"), 400, seed=6, workers=1)
    assert _content(one.url) == _content(two.url)
    assert _content(one.url) != _content(other.url)


def test_profiles_follow_the_report():
    profiles = {p.code: p for p in plan.profiles(configured())}
    assert sum(p.share for p in profiles.values()) == pytest.approx(1.0)
    assert profiles["MPS"].share == pytest.approx(1 / 3)
    wyp = profiles["WYP"]
    assert wyp.share * plan.REPORT_ARRESTS * wyp.ccu_calls == pytest.approx(plan.WYP_CCU_CALLS)
