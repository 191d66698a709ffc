"""``report flow``: the process map, checked against counts taken from the log independently
(issue 19, item 3)."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from casetracker.adapters.database import read_transaction
from casetracker.domain.effective_time import DEFAULT_ZONE, parse_canonical
from casetracker.integrity.encoding import stored_stamp, stored_step
from casetracker.presenters.flow_diagram import map_lines, mermaid
from casetracker.services.cases import Casetracker
from casetracker.services.flow import read_flow
from casetracker.services.registry import workflow_engine
from tests.cli.conftest import snapshot


def _pairs(url: str, lifecycle: str | None, force: str | None = None, year: int | None = None):
    """(a, b) -> waits in hours, straight from the events table; the traces' first labels."""
    engine = workflow_engine()
    ct = Casetracker(url, as_user="audit.demo")
    try:
        with read_transaction(ct.engine) as conn:
            rows = conn.exec_driver_sql("SELECT case_id, seq, step, stamp FROM events").all()
            forces = dict(conn.exec_driver_sql("SELECT case_id, force FROM mi_arrests").all())
    finally:
        ct.close()
    traces: dict[tuple, list] = {}
    for case_id, seq, step, stamp in rows:
        _, workflow, version, instance, action = stored_step(step)
        if lifecycle and workflow != lifecycle:
            continue
        if force and forces.get(case_id) != force:
            continue
        label = engine.spec(workflow, version).action(action).label
        start = parse_canonical(stored_stamp(stamp)[2]).start
        key = (case_id, instance) if lifecycle else (case_id,)
        traces.setdefault(key, []).append((start, seq, label))
    waits: dict[tuple[str, str], list[float]] = {}
    for steps in traces.values():
        steps.sort()
        if year and steps[0][0].astimezone(DEFAULT_ZONE).year != year:
            continue
        for (t0, _, a), (t1, _, b) in itertools.pairwise(steps):
            waits.setdefault((a, b), []).append((t1 - t0).total_seconds() / 3600)
    return waits


def _graph(url: str, **options):
    """The graph as the report reads it (the read model caught up with the log first)."""
    ct = Casetracker(url, as_user="audit.demo")
    try:
        return read_flow(ct, **options)
    finally:
        ct.close()


@pytest.mark.parametrize("lifecycle", [None, "encounter", "status_check"])
def test_counts_and_waits_are_the_logs(year, lifecycle):
    expected = _pairs(year.url, lifecycle)
    graph = _graph(year.url, lifecycle=lifecycle)
    assert {(p.source, p.target): p.count for p in graph.paths} == {
        k: len(v) for k, v in expected.items()
    }
    busiest = graph.paths[0]
    waits = sorted(expected[(busiest.source, busiest.target)])
    assert busiest.count == max(len(v) for v in expected.values())
    assert busiest.median_h == pytest.approx(waits[len(waits) // 2], abs=1e-4)
    assert busiest.p90_h == pytest.approx(waits[int(0.9 * len(waits))], abs=1e-4)


def test_force_and_year_choose_the_traces(year):
    for force, chosen_year in (("WMP", 2015), ("MPS", None), ("MPS", 2014)):
        expected = _pairs(year.url, "encounter", force, chosen_year)
        graph = _graph(year.url, lifecycle="encounter", force=force, year=chosen_year)
        found = Counter({(p.source, p.target): p.count for p in graph.paths})
        assert found == Counter({k: len(v) for k, v in expected.items()})
    assert not _graph(year.url, year=2014).paths  # the synthetic year is 2015


def test_busiest_heavier_and_slowest_marked_in_every_picture(year):
    graph = _graph(year.url, lifecycle="encounter")
    busy = [p for p in graph.paths if p.busy]
    slow = [p for p in graph.paths if p.slow]
    assert busy and slow and len(slow) <= 3
    assert min(p.count for p in busy) >= max(p.count for p in graph.paths if not p.busy)
    assert min(p.p90_h for p in slow) >= max(p.p90_h for p in graph.paths if not p.slow)
    chart = mermaid(graph)
    assert chart.splitlines()[3] == "flowchart LR"
    assert chart.count("==>") == len(busy) and chart.count("⏳") == len(slow)
    assert chart.count("linkStyle") == len(slow)
    lines = map_lines(graph, 120)
    assert [style for _, style in lines][: len(graph.paths)] == [
        "bold red" if p.slow else "bold" if p.busy else "" for p in graph.paths
    ]
    assert lines[0][0].startswith("━") and lines[0][0].count("━") > lines[-1][0].count("━")


def test_the_cli_prints_table_csv_json_and_mermaid(run, year):
    base = ("--db", year.path, "--as", "audit.demo", "report", "flow")
    table = run(*base, "--lifecycle", "status_check")
    assert table.code == 0 and "Process map" in table.out and "median_h" in table.out
    as_json = run(*base, "--format", "json", "--force", "wmp", "--year", "2015")
    assert as_json.code == 0 and as_json.json["force"] == "wmp" and as_json.json["rows"]
    chart = run(*base, "--format", "mermaid", "--top", "5")
    assert chart.code == 0 and chart.out.count("-->") + chart.out.count("==>") >= 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lifecycle", "holiday"], "--lifecycle must be one of"),
        (["--force", "XX"], "not a force of the organisation file"),
        (["--format", "svg"], "--format must be one of"),
    ],
)
def test_bad_options_are_one_line_usage_errors(run, year, args, message):
    before = snapshot(year.path)
    result = run("--db", year.path, "report", "flow", *args)
    assert result.code == 2 and message in result.err
    assert len(result.err.strip().splitlines()) == 1 and snapshot(year.path) == before
