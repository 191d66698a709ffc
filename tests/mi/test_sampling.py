"""Sampling as the inspection did (¶2.1, fn 2): reproducible for a seed, stratified exactly."""

from __future__ import annotations

import pytest

from casetracker.adapters import access_log
from casetracker.adapters.database import read_transaction
from casetracker.domain.errors import Refused
from casetracker.services import sampling
from casetracker.services.disclosure import draw_sample
from tests.mi.conftest import ARRESTS

# The inspection's request (40 per force at the report's scale); the shared test year is about a
# tenth of it, where WYP has some 35 offenders referred in the window, so 20 per force here.
PER_FORCE = 40 if ARRESTS >= 100_000 else 20
INSPECTION = ("MPS,WMP,WYP", PER_FORCE, "2015-06-01", "2015-11-30", True)


def test_same_seed_same_sample_other_seed_other_sample(service):
    first = draw_sample(service, sampling.request(*INSPECTION, seed=11), "inspection")
    again = draw_sample(service, sampling.request(*INSPECTION, seed=11), "inspection")
    other = draw_sample(service, sampling.request(*INSPECTION, seed=12), "inspection")
    assert first.cases == again.cases
    assert first.cases != other.cases


def test_exactly_per_force_from_each_stratum_within_its_criteria(service):
    drawn = draw_sample(service, sampling.request(*INSPECTION, seed=3))
    assert set(drawn.cases) == {"MPS", "WMP", "WYP"}
    with read_transaction(service.engine) as conn:
        for force, cases in drawn.cases.items():
            assert len(cases) == len(set(cases)) == PER_FORCE
            for case_id in cases:
                hits = conn.exec_driver_sql(
                    "SELECT COUNT(*) FROM mi_referrals WHERE case_id = ? AND force = ? "
                    "AND offender AND referred_at >= '2015-05-31T23:00:00Z' "
                    "AND referred_at < '2015-12-01T00:00:00Z'",
                    (case_id, force),
                ).scalar()
                assert hits >= 1, (force, case_id)
            assert drawn.population[force] > PER_FORCE


def test_parameters_and_seed_are_logged(service):
    drawn = draw_sample(service, sampling.request(*INSPECTION, seed=21), "fieldwork")
    with read_transaction(service.engine) as conn:
        entry = access_log.entries(conn, limit=1)[-1]
    assert entry.action == "sample" and entry.justification == "fieldwork"
    assert '"seed":21' in entry.detail and f'"per_force":{PER_FORCE}' in entry.detail
    assert drawn.cases["WYP"][0] in entry.detail


def test_a_stratum_too_small_is_refused_and_nothing_logged(service):
    with read_transaction(service.engine) as conn:
        before = len(access_log.entries(conn))
    req = sampling.request("WYP", 100_000, "2015-06-01", "2015-11-30", True, seed=1)
    with pytest.raises(Refused, match="WYP has only"):
        draw_sample(service, req)
    with read_transaction(service.engine) as conn:
        assert len(access_log.entries(conn)) == before


def test_sampling_is_fast(service):
    import time

    started = time.perf_counter()
    draw_sample(service, sampling.request(*INSPECTION, seed=8))
    assert time.perf_counter() - started < 1.0
