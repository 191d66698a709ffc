"""Every shipped scenario runs and meets its expectations; the two figures say what the report
says (DOMAIN.md, "The two case studies")."""

from __future__ import annotations

import pytest

from casetracker.domain.effective_time import parse_canonical
from casetracker.presenters.timeline import build_timeline
from casetracker.services.training.scenarios import available, load

EXTRA = {
    "eea-treaty-rights",
    "out-of-hours-release",
    "bail-and-rearrest",
    "acro-second-check",
    "hosol-deportation",
    "claimed-british-dva",
    "no-fingerprints",
    "custody-list-sweep",
    "transfer-to-central-suite",
    "cid-update-and-papers",
    "police-high-harm-referral",
    "appeal-against-removal",
    "uk-sentence-deportation",
}


def test_check_all_passes_and_every_scenario_expects_its_end_state(run) -> None:
    result = run("scenario", "check", "--all", "--json")
    assert result.code == 0, result.err
    reports = {r["name"]: r for r in result.json["scenarios"]}
    assert result.json["realm"] == "training"
    assert set(reports) == {"figure-1", "figure-2", *EXTRA}
    assert all(r["ok"] and r["expectations"] > 0 for r in reports.values())
    for name in reports:
        assert load(name).steps[-1].expect.states, name


def test_extra_scenarios_exercise_rules_the_figures_do_not() -> None:
    """Each extra scenario shows at least one refusal or clock the figures never reach."""
    figures = {s.action for n in ("figure-1", "figure-2") for s in load(n).steps}
    for name in EXTRA:
        scenario = load(name)
        refused = [s for s in scenario.steps if s.refused]
        timed = [s for s in scenario.steps if s.expect.pace_left_minutes is not None]
        new_actions = {s.action for s in scenario.steps} - figures
        assert refused or timed, name
        assert new_actions, name


def test_figure_1_ends_detained_with_removal_deferred(figure_1) -> None:
    _, result = figure_1
    end = result.outcomes[-1].snapshot
    assert end.states["detention"] == "immigration_detention"
    assert end.states["removal"] == "deferred"
    assert end.states["barrier#4"] == "lodged"
    assert (end.figures.arrests, end.figures.absconder_listings) == (5, 2)
    (reason,) = end.removal_blocks["set_removal_directions"]
    assert reason.startswith("judicial review lodged 2016-06-24 is undecided")


def test_figure_1_has_the_reports_20_entries_at_the_reports_precision() -> None:
    scenario = load("figure-1")
    assert scenario.entries == list(range(1, 21))
    first = scenario.steps[0]
    assert (first.effective.text, first.effective.precision) == ("2010-12", "month")
    assert first.effective.display() == "Dec 2010"
    sentence = next(s for s in scenario.steps if s.action == "convict")
    assert sentence.effective.precision == "range"


def test_figure_1_flags_the_human_rights_claim_alone(figure_1) -> None:
    _, result = figure_1
    flagged = [e for e in build_timeline(result.events) if e.flags]
    assert [(e.action, e.effective.text) for e in flagged] == [("lodge_claim", "2016-05-11")]
    event = next(e for e in result.events if e.seq == flagged[0].seq)
    assert event.data["fields"]["kind"] == "human_rights"
    # kept in the report's order: recorded between the listing of 1 May and the arrest of 22 May
    actions = [e.action for e in result.events]
    at = actions.index("lodge_claim", actions.index("list_as_absconder"))
    assert actions[at - 1] == "list_as_absconder" and actions[at + 1] == "arrest"


def test_figure_2_is_removed_after_a_seven_day_etd_and_two_undated_attempts(tmp_path) -> None:
    from casetracker.services.training.player import run
    from casetracker.services.training.sandbox import fresh_sandbox

    result = run(load("figure-2"), fresh_sandbox(tmp_path))
    end = result.outcomes[-1].snapshot
    assert end.states["removal"] == "removed" and end.states["detention"] == "removed"
    assert end.figures.etd_turnaround_days == 7
    attempts = [e for e in result.events if e.action == "record_frustrated_removal"]
    assert [e.effective for e in attempts] == ["2015-07-03/2015-10-05"] * 2
    shown = parse_canonical(attempts[0].effective).display()
    assert shown == "between 2015-07-03 and 2015-10-05"


def test_every_shipped_scenario_is_listed(run) -> None:
    result = run("scenario", "list", "--json")
    assert result.code == 0
    assert [s["name"] for s in result.json["scenarios"]] == available()
    text = run("scenario", "list")
    assert text.out.startswith("[TRAINING]")
    where = run("scenario", "path", "figure-1")
    assert where.code == 0 and where.out.strip().endswith("scenarios/figure-1.yaml")


# What the report publishes about an anonymised case is given as published (issue 14, Facts).
PUBLISHED = {"figure-2": {"nationality": "Indian"}}


@pytest.mark.parametrize("name", ["figure-1", "figure-2"])
def test_personal_values_in_scenarios_are_synthetic(name: str) -> None:
    scenario = load(name)
    published = PUBLISHED.get(name, {})
    made_up = {k: v for k, v in scenario.subject.items() if published.get(k) != v}
    assert "name" in made_up
    assert all("synthetic" in str(v) for v in made_up.values())


def test_figure_2_names_the_nationality_and_high_commission_the_report_publishes() -> None:
    scenario = load("figure-2")
    assert scenario.subject["nationality"] == "Indian"
    etd = next(s for s in scenario.steps if s.action == "apply_for_etd")
    assert etd.fields["high_commission"] == "Indian High Commission"
    assert not any("Synthland" in str(s.fields) for s in scenario.steps)
