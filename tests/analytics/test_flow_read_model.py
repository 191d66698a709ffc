"""``report flow`` reads a stored read model (``flow_steps``, issue 19 item 5): the graph it
gives (``read_flow``: on SQLite the table caught up from the log first) equals the one computed
from the log, after bulk writes (synth), actions (one back-dated, one approximate),
``casetracker rebuild`` and migration 0017's fill; and the SQL's exact percentiles equal
Python's on any waits (Hypothesis)."""

from __future__ import annotations

from array import array

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool

from casetracker.adapters import flow_model, read_models, workers
from casetracker.adapters.database import make_engine, read_transaction, write_transaction
from casetracker.adapters.flow_model import Moment, trace_rows
from casetracker.adapters.report_tables import FLOW_STEPS, MI_ARRESTS
from casetracker.domain.identity import seeded_user
from casetracker.services import flow as flow_service
from casetracker.services.cases import Casetracker
from tests.mi.conftest import build

RANKS = (0.5, 0.9)
CHOICES = [
    {},
    {"lifecycle": "encounter"},
    {"lifecycle": "status_check"},
    {"year": 2015},
    {"force": "MPS", "year": 2015, "lifecycle": "encounter"},
    {"force": "WMP"},
    {"year": 2009},
]


@pytest.fixture
def acted(tmp_path):
    """A synthetic year written by the bulk path, then actions: a case opened with a month, a
    back-dated note (it moves into the middle of its traces), a range, a note now."""
    built = build(str(tmp_path / "year.db"), 120, seed=11, workers=1)
    ct = Casetracker(built.url, as_user=seeded_user("police", "MPS"))
    try:
        opened = ct.open_case({"name": "A Person", "nationality": "Freedonia"}, "2010-12")
        ct.act(opened.case_id, "add_note", {"text": "later"}, "2015-07-03/2015-10-05")
        ct.act(opened.case_id, "add_note", {"text": "earlier, recorded late"}, "2011-01-04")
        # before the case's first step: its traces now start in another year, every row moves
        ct.act(opened.case_id, "add_note", {"text": "long before"}, "2009-05-01")
        with read_transaction(ct.engine) as conn:
            some = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT DISTINCT case_id FROM mi_arrests WHERE force = 'MPS' LIMIT 3"
                )
            ]
        for case_id in some:
            ct.act(case_id, "add_note", {"text": "seen"})
            ct.act(case_id, "add_note", {"text": "before"}, "2015-01-01")
    finally:
        ct.close()
    return built


def _graphs(url: str, **options):
    """The report's graph (``read_flow``: from the read model, caught up first) and the log's."""
    ct = Casetracker(url, as_user="audit.demo")
    try:
        stored = flow_service.read_flow(ct, **options)
        assert not stored.from_log  # drawn from the table, not the fallback
        with read_transaction(ct.engine) as conn:
            return stored, flow_service.flow_from_log(conn, ct.flow, **options)
    finally:
        ct.close()


def _stored(url: str) -> list[tuple]:
    """The table's rows once caught up with the log (on SQLite actions do not write it)."""
    engine = make_engine(url)
    try:
        assert flow_model.catch_up(engine)
        with read_transaction(engine) as conn:
            return sorted(tuple(r) for r in conn.exec_driver_sql("SELECT * FROM flow_steps"))
    finally:
        engine.dispose()


def _assert_same(url: str) -> None:
    for options in CHOICES:
        stored, logged = _graphs(url, **options)
        assert stored.traces > 0 or options.get("year") == 2009 or options.get("force")
        assert stored == logged, options


def test_stored_flow_is_the_logs_after_bulk_and_actions(acted) -> None:
    _assert_same(acted.url)
    stored, _ = _graphs(acted.url, year=2009)
    assert stored.traces == 1 and stored.approximate == 4  # the days, the month, the range


@pytest.mark.parametrize("processes", [1, 2])
def test_rebuild_and_the_migrations_fill_give_the_rows_kept(acted, monkeypatch, processes):
    kept = _stored(acted.url)
    assert kept
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1 if processes == 2 else 2**62)
    ct = Casetracker(acted.url, as_user="admin.demo")
    try:
        with write_transaction(ct.engine) as conn:
            conn.exec_driver_sql("DELETE FROM flow_steps")
        read_models.rebuild(ct.engine, ct.flow)
        assert _stored(acted.url) == kept
        with write_transaction(ct.engine) as conn:  # migration 0017's way: the stored columns
            conn.exec_driver_sql("DELETE FROM flow_steps")
            flow_model.fill(conn)
        assert _stored(acted.url) == kept
        with write_transaction(ct.engine) as conn:  # some cases only: theirs replaced
            some = sorted({row[0] for row in kept})[:3]
            conn.exec_driver_sql("UPDATE flow_steps SET wait_s = 0 WHERE case_id = ?", (some[0],))
            conn.exec_driver_sql("DELETE FROM flow_steps WHERE case_id = ?", (some[1],))
            assert flow_model.fill(conn, some) == 3
    finally:
        ct.close()
    assert _stored(acted.url) == kept
    _assert_same(acted.url)


# ---------------------------------------------------------------------------- SQL = Python

_moment = st.builds(
    Moment,
    at=st.integers(1_400_000_000, 1_460_000_000).map(float),
    seq=st.integers(1, 50),
    label=st.sampled_from(["a", "b", "c"]),
    approximate=st.booleans(),
    workflow=st.sampled_from(["encounter", "status_check"]),
    instance=st.integers(1, 2),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_moment, min_size=1, max_size=12), min_size=1, max_size=8))
def test_sql_aggregates_are_pythons(cases) -> None:
    """Any traces: counts, starts, ends and exact nearest-rank percentiles from SQL equal those
    computed in Python over the same steps (ties, one-wait pairs, zero waits included)."""
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    FLOW_STEPS.create(engine)
    MI_ARRESTS.create(engine)
    with engine.begin() as conn:
        for number, moments in enumerate(cases):
            seqs = [m._replace(seq=i) for i, m in enumerate(moments, 1)]
            flow_model.insert_rows(conn, trace_rows(f"C-{number}", seqs))
    expected = _expected(cases)
    with engine.connect() as conn:
        for force in (None, "MPS"):  # the two ways of reading percentiles
            if force:
                conn.execute(
                    MI_ARRESTS.insert(),
                    [_arrest(f"C-{number}") for number in range(0, len(cases), 2)],
                )
            graph = flow_service.FlowGraph("", 0, 0)
            found = {}
            for p, waits in flow_model.measured(conn, flow_model.Selection(force=force), RANKS):
                graph.events += p.steps
                graph.approximate += p.approximate
                graph.traces += p.steps if p.previous is None else 0
                if p.previous is not None:
                    found[(p.previous, p.activity)] = (
                        p.steps, *(round(w / 3600, 4) for w in waits),
                    )  # fmt: skip
            wanted = expected if force is None else _expected(cases[::2])
            assert found == {(p.source, p.target): (p.count, p.median_h, p.p90_h)
                             for p in wanted.paths}  # fmt: skip
            assert (graph.traces, graph.events, graph.approximate) == (
                wanted.traces, wanted.events, wanted.approximate,
            )  # fmt: skip
    engine.dispose()


def _expected(cases: list[list[Moment]]) -> flow_service.FlowGraph:
    """The graph of the case traces, computed in Python as ``flow_from_log`` does."""
    graph = flow_service.FlowGraph("", 0, 0)
    waits: dict[tuple[str, str], array] = {}
    for moments in cases:
        seqs = [m._replace(seq=i) for i, m in enumerate(moments, 1)]
        traces = {0: [(m.at, m.seq, m.label, m.approximate) for m in seqs]}
        flow_service._close(traces, graph, waits, None)
    graph.paths = flow_service._paths(waits)
    return graph


def _arrest(case_id: str) -> dict:
    """An ``mi_arrests`` row by the MPS for ``case_id`` (only its force is read here)."""
    row = {c.name: 0 for c in MI_ARRESTS.c}
    row.update(case_id=case_id, force="MPS", suite="", arrested_at="", nationality_group="",
               route="none", in_io_hours=None, left_by="", left_at="")  # fmt: skip
    return row


@pytest.mark.postgres
def test_postgresql_keeps_the_same_flow(pg_url) -> None:
    """The read model's SQL (grouping, the seeks, the force filter's one pass) on PostgreSQL:
    after a bulk year, actions and a rebuild, the stored graph is the log's."""
    from casetracker.services.setup import create_database
    from casetracker.services.synthetic_year import generate_year

    create_database(pg_url, "demo")
    admin = Casetracker(pg_url, as_user="admin.demo")
    try:
        generate_year(admin, seed=3, year=2015, arrests=40, workers=1)
    finally:
        admin.close()
    ct = Casetracker(pg_url, as_user=seeded_user("police", "MPS"))
    try:
        opened = ct.open_case({"name": "A Person", "nationality": "Freedonia"}, "2010-12")
        ct.act(opened.case_id, "add_note", {"text": "earlier, recorded late"}, "2010-12-04")
    finally:
        ct.close()
    _assert_same(pg_url)
    kept = _stored(pg_url)
    admin = Casetracker(pg_url, as_user="admin.demo")
    try:
        admin.rebuild()
    finally:
        admin.close()
    assert _stored(pg_url) == kept
