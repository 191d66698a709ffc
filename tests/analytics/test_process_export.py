"""``export-log`` read back by a real process-mining tool (issue 19, items 1 and 2).

PM4Py is a test-only dependency (the ``analytics-test`` extra): it is AGPL-3.0, so casetracker
never imports it; it is imported inside these tests only, so the rest of the suite does not pay
for its import.  Each format is written from a small synthetic year plus one case dated only by
a month and a range, and read back: the event and object counts must be the database's, and the
directly-follows graph PM4Py discovers must hold every transition the lifecycles made.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from casetracker.adapters.database import read_transaction
from casetracker.integrity.encoding import stored_stamp, stored_step
from casetracker.services.cases import Casetracker
from casetracker.services.registry import workflow_engine
from tests.cli.conftest import snapshot
from tests.mi.conftest import Year


@pytest.fixture(scope="module")
def pm4py():
    """Imported here, not at collection: it takes seconds, and the rest of the suite never
    needs it."""
    return pytest.importorskip("pm4py", reason="install the analytics-test extra")


def _database(
    year: Year, untied: bool = False
) -> tuple[int, int, Counter, set[tuple[str, str, str]]]:
    """Events, lifecycle instances, activities, and the (lifecycle, a, b) transitions made
    (consecutive actions of one instance, by effective time), read from the log directly.

    ``untied``: only instances whose steps all have different times.  OCEL 2.0 SQLite keeps
    events in one table per activity, so a reader orders two events at the same instant as it
    likes (PM4Py: by activity table); the JSON file and XES keep the order written.
    """
    flow = workflow_engine()
    ct = Casetracker(year.url, as_user="audit.demo")
    instances: dict[tuple, list[tuple[str, int, str]]] = {}
    try:
        with read_transaction(ct.engine) as conn:
            rows = conn.exec_driver_sql("SELECT case_id, seq, step, stamp FROM events").all()
    finally:
        ct.close()
    activities: Counter = Counter()
    for case_id, seq, step, stamp in rows:
        _, workflow, version, instance, action = stored_step(step)
        label = flow.spec(workflow, version).action(action).label
        activities[label] += 1
        effective = stored_stamp(stamp)[2]
        instances.setdefault((case_id, workflow, instance), []).append((effective, seq, label))
    transitions = set()
    for (_, workflow, _), steps in instances.items():
        if untied and len({effective for effective, *_ in steps}) < len(steps):
            continue
        labels = [label for *_, label in sorted(steps, key=_order)]
        transitions |= {(workflow, a, b) for a, b in itertools.pairwise(labels)}
    return len(rows), len(instances), activities, transitions


def _order(step: tuple) -> tuple:
    from casetracker.domain.effective_time import parse_canonical

    return (parse_canonical(step[0]).start, step[1])


def _export(run, year: Year, fmt: str, out: Path, *extra: str):
    result = run("--db", year.path, "--as", "audit.demo", "export-log", "--format", fmt,
                 "--out", str(out), "--reason", "analytics", "--json", *extra)  # fmt: skip
    assert result.code == 0, result.err
    return result.json


def test_xes_reads_back_with_every_event_and_transition(pm4py, run, year, tmp_path):
    events, _, activities, transitions = _database(year)
    summary = _export(run, year, "xes", tmp_path / "log.xes")
    frame = pm4py.read_xes(str(tmp_path / "log.xes"))
    assert len(frame) == summary["events"] == events
    assert Counter(frame["concept:name"]) == activities
    assert frame["case:concept:name"].nunique() == summary["cases"]
    dfg, _, _ = pm4py.discover_dfg(frame)
    # Each lifecycle's own transitions are directly-follows pairs of its object in OCEL; in a
    # case's trace, steps of other lifecycles may come between, so here only the case file's.
    case_file = {(a, b) for w, a, b in transitions if w == "case"}
    assert case_file <= set(dfg)


@pytest.mark.parametrize("fmt", ["ocel2-json", "ocel2-sqlite"])
def test_ocel_reads_back_with_every_object_and_transition(pm4py, run, year, tmp_path, fmt):
    events, instances, activities, transitions = _database(year, untied=fmt == "ocel2-sqlite")
    out = tmp_path / f"log.{fmt}"
    summary = _export(run, year, fmt, out)
    if fmt == "ocel2-json":
        ocel = pm4py.read_ocel2_json(str(out))
    else:
        from pm4py.objects.ocel.validation import ocel20_rel_validation

        assert ocel20_rel_validation.apply(str(out))[1] == []  # every constraint of the standard
        ocel = pm4py.read_ocel2_sqlite(str(out))
    assert len(ocel.events) == summary["events"] == events
    assert len(ocel.objects) == summary["objects"] == instances
    assert Counter(ocel.events["ocel:activity"]) == activities
    ocdfg = pm4py.discover_ocdfg(ocel)
    found = {
        (object_type, a, b)
        for object_type, pairs in ocdfg["edges"]["event_couples"].items()
        for (a, b) in pairs
    }
    assert transitions <= found, sorted(transitions - found)[:5]


def test_no_personal_data_or_free_text_and_actors_pseudonymised(run, year, tmp_path):
    for fmt in ("xes", "ocel2-json"):
        out = tmp_path / f"log.{fmt}"
        _export(run, year, fmt, out)
        text = out.read_text()
        for secret in ("A Person", "Freedonia", "Jane Doe", "Synthland", "(synthetic)", "SYN-"):
            assert secret not in text, (fmt, secret)
        for user in ("police.demo", "ccu.demo", "audit.demo", "io.demo"):
            assert user not in text, (fmt, user)
    named = _export(run, year, "ocel2-json", tmp_path / "named.json", "--actor-names", "who")
    assert named["actors"] == "named" and "pc.demo" in (tmp_path / "named.json").read_text()


def test_approximate_dates_keep_their_precision(run, year, tmp_path):
    out = tmp_path / "log.json"
    _export(run, year, "ocel2-json", out)
    data = json.loads(out.read_text())
    by_effective = {
        next(a["value"] for a in e["attributes"] if a["name"] == "effective"): e
        for e in data["events"]
    }
    month = by_effective["2010-12"]
    assert month["time"] == "2010-12-01T00:00:00Z"  # the start of the month, UK time
    values = {a["name"]: a["value"] for a in month["attributes"]}
    assert values["effective_precision"] == "month"
    assert values["effective_end"] == "2011-01-01T00:00:00Z"
    ranged = {a["name"]: a["value"] for a in by_effective["2015-07-03/2015-10-05"]["attributes"]}
    assert ranged["effective_precision"] == "range"
    assert ranged["effective_end"] == "2015-10-05T23:00:00Z"  # 6 Oct 00:00 BST


def test_period_and_sample_choose_what_is_exported(run, year, tmp_path):
    sample = tmp_path / "sample.txt"
    sample.write_text("# two cases\nC-0000001\n2\n")
    picked = _export(run, year, "xes", tmp_path / "s.xes", "--sample", str(sample))
    assert picked["cases"] == 2
    june = _export(run, year, "ocel2-sqlite", tmp_path / "june.sqlite", "--from", "2015-06-01",
                   "--to", "2015-06-30")  # fmt: skip
    with sqlite3.connect(tmp_path / "june.sqlite") as db:
        times = [t for (t,) in db.execute("SELECT ocel_time FROM event_Arrest")]
    assert times and all("2015-05-31T23" <= t < "2015-06-30T23" for t in times)
    assert june["events"] < _database(year)[0]


def test_the_export_is_a_logged_disclosure_for_auditors_only(run, year, tmp_path):
    _export(run, year, "xes", tmp_path / "logged.xes")
    log = run("--db", year.path, "--as", "audit.demo", "access-log", "--json")
    assert log.code == 0, log.err
    entries = [e for e in log.json["entries"] if e["action"] == "export_log"]
    detail = entries[-1]["detail"] if entries else {}
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["file"] == "logged.xes" and detail["actors"] == "pseudonymised"
    before = snapshot(year.path)
    refused = run("--db", year.path, "--as", "io.demo", "export-log", "--format", "xes",
                  "--out", str(tmp_path / "io.xes"), "--reason", "curious")  # fmt: skip
    assert refused.code == 1 and "may not export the event log" in refused.err
    assert not (tmp_path / "io.xes").exists()
    assert snapshot(year.path) != before  # the refusal itself is logged, as every refusal is


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv"], "--format must be one of"),
        (["--format", "xes", "--reason", " "], "--reason is required"),
        (["--format", "xes", "--from", "June"], "--from 'June' is not a day"),
        (["--format", "xes", "--from", "2015-06-02", "--to", "2015-06-01"], "before --from"),
        (["--format", "xes", "--sample", "/nonexistent"], "no such file"),
    ],
)
def test_user_errors_are_one_line_and_change_nothing(run, year, tmp_path, args, message):
    before = snapshot(year.path)
    argv = ["--db", year.path, "--as", "audit.demo", "export-log", "--out", str(tmp_path / "x")]
    if "--reason" not in args:
        argv += ["--reason", "r"]
    result = run(*argv, *args)
    assert result.code == 2 and message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert snapshot(year.path) == before and not (tmp_path / "x").exists()


def test_an_unknown_sample_case_is_refused_before_writing(run, year, tmp_path):
    sample = tmp_path / "sample.txt"
    sample.write_text("C-0999999\n")
    result = run(
        "--db",
        year.path,
        "--as",
        "audit.demo",
        "export-log",
        "--format",
        "xes",
        "--out",
        str(tmp_path / "u.xes"),
        "--reason",
        "r",
        "--sample",
        str(sample),
    )
    assert result.code == 1 and "unknown case" in result.err
    assert list(tmp_path.iterdir()) == [sample]
