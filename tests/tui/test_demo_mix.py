"""``casetracker demo``'s generated arrests are referred per force as the report found (¶3.1,
¶4.8-4.11), read back from the management-information table the reports screen uses."""

from __future__ import annotations

import random
from collections import Counter

import pytest
import sqlalchemy as sa

from casetracker.domain import clock
from casetracker.services.demo import apportion, build_demo, referral_plan
from tests.tui.conftest import NOW

FIGURES = ("C-0000001", "C-0000002")  # the two case studies, not generated


@pytest.fixture(scope="module")
def arrests(tmp_path_factory) -> list[tuple[str, str]]:
    """(force, first route) of every generated arrest in a default (300-case) demo."""
    url = f"sqlite:///{tmp_path_factory.mktemp('mix') / 'demo.db'}"
    clock.set_clock(lambda: NOW)
    try:
        build_demo(url)
    finally:
        clock.set_clock(None)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT force, route, case_id FROM mi_arrests"),
        ).all()
    engine.dispose()
    return [(force, route) for force, route, case_id in rows if case_id not in FIGURES]


def share(rows: list[tuple[str, str]], route: str) -> float:
    return sum(1 for _, r in rows if r == route) / len(rows)


def test_the_demo_holds_a_few_hundred_arrests(arrests):
    assert len(arrests) == 300


def test_about_a_third_of_arrests_are_by_the_mps(arrests):
    mps = sum(1 for force, _ in arrests if force == "MPS") / len(arrests)
    assert 0.30 <= mps <= 0.37


def test_over_half_referred_to_ccu_but_under_30_percent_outside_london(arrests):
    assert share(arrests, "ccu") > 0.50
    outside = [a for a in arrests if a[0] != "MPS"]
    assert 0.20 <= share(outside, "ccu") < 0.30


def test_west_midlands_refers_just_over_a_third_to_ccu(arrests):
    wmp = [a for a in arrests if a[0] == "WMP"]
    assert 1 / 3 <= share(wmp, "ccu") <= 0.40


def test_west_yorkshire_refers_under_15_percent_to_ccu_most_to_local_staff(arrests):
    wyp = [a for a in arrests if a[0] == "WYP"]
    routes = Counter(route for _, route in wyp)
    assert share(wyp, "ccu") < 0.15
    local = routes["local_io"] + routes["local_ice_office"]
    assert local > 2 * routes["ccu"] and local / sum(routes.values()) > 0.35


def test_apportion_keeps_the_total_and_the_proportions():
    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    counts = apportion(300, {"x": 0.97, "y": 0.03})
    assert counts == {"x": 291, "y": 9}


def test_the_plan_is_the_same_for_a_seed():
    assert referral_plan(50, random.Random(7)) == referral_plan(50, random.Random(7))
    assert len(referral_plan(50, random.Random(7))) == 50


def test_generated_cases_are_recorded_when_they_happened(demo_url):
    """Each step of a generated case is recorded at the moment it happened, as a scenario's
    are (the demo once recorded them all when it was built, and every event was flagged
    backdated): none is flagged, and a case's first event is recorded when it happened."""
    from contextlib import closing

    from casetracker.domain.clock import parse_recorded
    from casetracker.domain.effective_time import parse_canonical
    from casetracker.presenters.timeline import build_timeline
    from casetracker.services.cases import Casetracker
    from tests.tui.conftest import DEMO_CASES

    with closing(Casetracker(demo_url, as_user="audit.demo")) as auditor:
        for n in range(len(FIGURES) + 1, len(FIGURES) + DEMO_CASES + 1):
            events = auditor.history(f"C-{n:07d}")
            assert not [e.seq for e in build_timeline(events) if e.backdated], n
            opened = parse_canonical(events[0].effective).start
            assert parse_recorded(events[0].recorded) == opened
            assert max(parse_recorded(e.recorded) for e in events) <= NOW
