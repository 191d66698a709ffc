"""``casetracker simulate``: what-if runs of the organisation model (issue 19, item 4)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from casetracker.adapters.organisation_file import configured, load
from casetracker.domain.organisation import Shift
from casetracker.services import synthetic_arrests as model
from casetracker.services.simulation import comparison, measures, request, simulate
from casetracker.services.synthetic_arrests import CaseSteps
from casetracker.services.synthetic_plan import Person, profiles

ROOT = Path(__file__).resolve().parents[2]
PILOT = ROOT / "casetracker/domain/data/what-if/io-night-shift-pilot.toml"
SHIPPED = ROOT / "casetracker/domain/data/organisation.toml"


def test_the_pilot_file_changes_only_the_mps_hubs_shifts():
    shipped, pilot = load(SHIPPED), load(PILOT)
    assert [f.code for f in pilot.forces] == [f.code for f in shipped.forces]
    for before, after in zip(shipped.forces, pilot.forces, strict=True):
        if before.code != "MPS":
            assert before == after
            continue
        for a, b in zip(before.suites, after.suites, strict=True):
            assert b.model.value == "hub" and len(b.io_shifts) == 2
            assert replace(b, io_shifts=a.io_shifts) == a
            assert b.in_io_hours(datetime(2015, 3, 1, 3, 0))  # 03:00: the night shift


def test_the_chance_an_io_sees_someone_follows_the_suites_shifts():
    mps = next(p for p in profiles(configured()) if p.code == "MPS")
    steps = CaseSteps(Person(0, mps, 1), 1, 2015, datetime(2016, 1, 1, tzinfo=UTC))
    night = datetime(2015, 3, 1, 3, 0, tzinfo=UTC)
    suite = mps.suites[0]
    assert steps.seen_chance(suite, night) == model.SEEN_OUT_OF_HOURS_LONDON
    steps.person = Person(0, replace(mps, suite_shifts=((Shift(time(22), time(7)),),) * 2), 1)
    assert steps.seen_chance(suite, night) == model.SEEN_IN_HOURS_LONDON
    assert steps.seen_chance("", night) == model.SEEN_OUT_OF_HOURS_LONDON  # no suite: 07-22


def test_the_same_organisation_twice_differs_in_nothing():
    what = request(SHIPPED, SHIPPED, 2015, 600, 3, 2)
    tallies = simulate(what, workers=1)
    assert [measures(t) for t in tallies["baseline"]] == [
        measures(t) for t in tallies["alternative"]
    ]
    table = comparison(what, tallies)
    differences = [row[4] for row in table.rows if row[4] is not None]
    assert differences and set(differences) == {0}


def test_the_night_shift_pilot_lowers_releases_before_an_io_saw_them():
    what = request(PILOT, None, 2015, 3000, 1, 2)
    tallies = simulate(what, workers=2)
    for base, alt in zip(tallies["baseline"], tallies["alternative"], strict=True):
        assert base.arrests == alt.arrests == 3000  # the same year, arrest for arrest
        assert alt.before_io < base.before_io
    rows = {row[0]: row for row in comparison(what, tallies).rows}
    rate = rows["offenders who left police custody before an IO saw them"]
    assert rate[4] < 0 and rate[5] is not None  # a difference, with its spread over seeds
    assert rows["arrests never referred"][4] == 0  # routes do not depend on IO shifts


def test_every_parameter_is_printed_and_in_docs_assumptions():
    from casetracker.services.simulation import MODEL_PARAMETERS

    what = request(SHIPPED, None, 2015, 50, 1, 1)
    notes = "\n".join(comparison(what, simulate(what, workers=1)).notes)
    documented = (ROOT / "docs/assumptions.md").read_text()
    for name, value, _ in MODEL_PARAMETERS:
        assert f"{name} = {value}" in notes
        assert f"`{name}`" in documented, name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "/nonexistent.toml"], "cannot read the organisation file"),
        (["--organisation", str(PILOT), "--seeds", "0"], "--seeds must be at least 1"),
        (["--organisation", str(PILOT), "--year", "1999"], "--year must be a past year"),
        (["--organisation", str(PILOT), "--format", "svg"], "--format must be one of"),
    ],
)
def test_user_errors_are_one_line(run, args, message):
    result = run("simulate", *args, "--arrests", "10")
    assert result.code == 2 and message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_bad_organisation_file_names_its_line(run, tmp_path):
    bad = tmp_path / "alt.toml"
    bad.write_text(PILOT.read_text().replace('model = "hub"', 'model = "hubb"', 1))
    result = run("simulate", "--organisation", str(bad), "--arrests", "10")
    assert result.code == 2 and f"{bad}:" in result.err and "model" in result.err


def test_the_cli_prints_both_runs_side_by_side(run):
    result = run("simulate", "--organisation", str(PILOT), "--arrests", "400", "--seeds", "2",
                 "--workers", "1", "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    rows = {r["measure"]: r for r in result.json["rows"]}
    assert set(rows["referrals to CCU per arrest (calls)"]) >= {"baseline", "alternative", "ci95"}
    assert result.json["seeds"] == 2


def test_a_what_if_run_checks_and_counts_what_synth_would_write():
    """A what-if run leaves out only what writing needs (payloads, personal-data digests,
    queue and flow rows): the same steps pass the same checks to the same states and MI rows."""
    from casetracker.domain import clock
    from casetracker.services.bulk import BulkValidator
    from casetracker.services.registry import engine_for
    from casetracker.services.synthetic_arrests import horizon_of
    from casetracker.services.synthetic_plan import plan

    org = configured()
    now = clock.now()
    written = BulkValidator(engine_for(org), "demo", now, org)
    counted = BulkValidator(engine_for(org), "demo", now, org, queues=False)
    people = plan(5, 300, profiles(org))
    for person in people:
        steps = CaseSteps(person, 5, 2015, horizon_of(now)).build()
        full, lean = written.prepare(steps), counted.prepare(steps)
        assert lean.rows == full.rows
        assert [dataclasses.replace(e, payload={}) for e in full.events] == lean.events
        assert all(e.payload for e in full.events) and not lean.personal and not lean.flow
