"""The worklist read model and its queries, on the demo database."""

from __future__ import annotations

import sqlalchemy as sa

from casetracker.adapters import worklist
from casetracker.adapters.database import make_engine, read_transaction
from casetracker.adapters.tables import WORKLIST
from casetracker.domain.queues import ALL_CASES, MY_WORK, queues_for
from casetracker.services.registry import workflow_engine


def _rows(engine) -> list[tuple]:
    with read_transaction(engine) as conn:
        return sorted(conn.execute(sa.select(WORKLIST)).all())


def test_each_role_has_its_queues():
    def named(role: str) -> list[str]:
        return [q.name for q in queues_for(role) if q is not MY_WORK]

    assert named("ccu") == ["status_check", "dva_requests", "nationality_mismatch"]  # ¶4.1
    io = named("immigration_officer")
    assert io[0] == "offender_custody" and {"etd", "absconder", "removal", "barrier"} <= set(io)
    assert {"io_paperwork", "acro_awaited", "nationality_mismatch"} <= set(io)  # ¶4.27, ¶4.31
    assert {"criminal_casework", "high_harm_team"} <= set(named("casework"))  # ¶3.4, ¶4.32
    assert "acro_awaited" in named("police")
    assert queues_for("auditor") == [ALL_CASES]


def test_a_queue_comes_back_most_urgent_first_and_filters(demo_url):
    engine = make_engine(demo_url)
    items = worklist.page(engine, "offender_custody")
    assert items and [i.due for i in items] == sorted(i.due for i in items)
    force = items[0].force
    assert {i.force for i in worklist.page(engine, "offender_custody", force.lower())} == {force}
    one = worklist.page(engine, "offender_custody", items[0].case_id.lower())
    assert [i.case_id for i in one] == [items[0].case_id]
    assert worklist.page(engine, "offender_custody", "no such words") == []
    assert worklist.count(engine, "offender_custody") == len(items)
    engine.dispose()


def test_figure_1_is_in_the_pending_claims_queue(demo_url):
    engine = make_engine(demo_url)
    labels = [i.label for i in worklist.page(engine, "barrier", "c-0000001")]
    engine.dispose()
    assert "judicial review lodged 2016-06-24, undecided" in labels


def test_rebuild_reproduces_the_rows_kept_by_every_action(demo_url):
    engine = make_engine(demo_url)
    kept = _rows(engine)
    assert worklist.rebuild(engine, workflow_engine()) > 0
    assert _rows(engine) == kept
    engine.dispose()
