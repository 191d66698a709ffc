"""Every user error: one line on stderr naming the file, step and field; exit 2 for a bad file,
1 for a refusal; and the database exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetracker.services.setup import create_database
from tests.cli.conftest import snapshot
from tests.scenarios.conftest import SCENARIOS

GOOD_STEP = """\
  - effective: 2011-11-08
    role: immigration_officer
    action: record_leave
    fields: {leave_type: student, valid_to: 2012-04-11}
"""
LAST_STEP = """\
  - effective: 2012-04-12
    role: immigration_officer
    action: record_overstay
    expect: {states: {leave: overstayer}}
"""


def scenario_file(tmp_path: Path, second_step: str, name: str = "bad") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"name: {name}\ntitle: A test\nsubject: {{name: Test (synthetic)}}\nforce: WMP\n"
        f"steps:\n{GOOD_STEP}{second_step}{LAST_STEP}"
    )
    return path


BAD_STEPS = {
    "unknown action": (
        "  - {effective: 2012-01-01, role: police, action: teleport}\n",
        "step 2 (teleport, line 10): unknown action 'teleport'",
    ),
    "bad date": (
        "  - {effective: 2012-02-30, role: immigration_officer, action: record_etd_needed}\n",
        "step 2 (record_etd_needed, line 10): effective: '2012-02-30' is not a real date",
    ),
    "missing field": (
        "  - {effective: 2012-01-01, role: immigration_officer, action: lodge_claim}\n",
        "step 2 (lodge_claim, line 10): Record a claim or challenge needs Kind (field 'kind')",
    ),
    "role may not": (
        "  - {effective: 2012-01-01, role: police, action: record_etd_needed}\n",
        "step 2 (record_etd_needed, line 10): role 'police' may not record that an ETD is needed",
    ),
    "future date": (
        "  - {effective: 2999-01-01, role: immigration_officer, action: record_etd_needed}\n",
        "step 2 (record_etd_needed, line 10): effective: effective time 2999-01-01 is in the fu",
    ),
    "missing instance": (
        "  - {effective: 2012-01-01, role: casework, action: refuse_claim}\n",
        "step 2 (refuse_claim, line 10): instance: claim or challenge has many records",
    ),
    "bad field value": (
        "  - {effective: 2012-01-01, role: immigration_officer, action: lodge_claim,"
        " fields: {kind: complaint}}\n",
        "step 2 (lodge_claim, line 10): field 'kind': 'complaint' is not one of",
    ),
    "unknown expectation": (
        "  - {effective: 2012-01-01, role: immigration_officer, action: record_etd_needed,"
        " expect: {mood: calm}}\n",
        "step 2 (record_etd_needed, line 10): expect: unknown key 'mood'",
    ),
    "unknown state": (
        "  - {effective: 2012-01-01, role: immigration_officer, action: record_etd_needed,"
        " expect: {states: {etd: lost}}}\n",
        "step 2 (record_etd_needed, line 10): expect.states.etd: no state 'lost'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_STEPS))
def test_bad_step_names_the_step_and_writes_nothing(run, tmp_path, case: str) -> None:
    step, message = BAD_STEPS[case]
    path = scenario_file(tmp_path, step)
    training = tmp_path / "training.db"
    create_database(f"sqlite:///{training}", "training")
    before = snapshot(str(training))
    played = run("scenario", "play", str(path), "--auto", "--db", str(training))
    assert played.code == 2, played.err
    assert played.err.count("\n") == 1 and f"bad.yaml: {message}" in played.err, played.err
    assert snapshot(str(training)) == before
    checked = run("scenario", "check", str(path))
    assert checked.code == 2 and message in checked.err


def test_last_step_must_expect_the_end_state(run, tmp_path) -> None:
    path = scenario_file(tmp_path, "")
    path.write_text(path.read_text().replace("    expect: {states: {leave: overstayer}}\n", ""))
    result = run("scenario", "check", str(path))
    assert result.code == 2
    assert "step 2 (record_overstay, line 10): the last step must expect the end states" in (
        result.err
    )


def test_name_must_match_the_file_and_yaml_errors_are_one_line(run, tmp_path) -> None:
    path = scenario_file(tmp_path, "", name="other")
    path.rename(tmp_path / "renamed.yaml")
    result = run("scenario", "check", str(tmp_path / "renamed.yaml"))
    assert result.code == 2 and "must match the file name renamed" in result.err
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nsteps: [unclosed\n")
    result = run("scenario", "check", str(broken))
    assert result.code == 2 and result.err.count("\n") == 1 and "not valid YAML" in result.err


def test_unknown_scenario_and_bad_options(run) -> None:
    result = run("scenario", "check", "figure-9")
    assert result.code == 2 and "no scenario named 'figure-9'" in result.err
    both = run("scenario", "check", "figure-1", "--all")
    assert both.code == 2 and "not both" in both.err


def test_a_step_the_rules_refuse_fails_play_before_anything_is_written(run, tmp_path) -> None:
    """Statically valid, refused by a guard (overstay recorded while the visa runs): play
    rehearses in a throw-away sandbox and leaves the training database untouched."""
    text = (SCENARIOS / "figure-2.yaml").read_text().replace("2012-04-12", "2012-04-01", 1)
    path = tmp_path / "figure-2.yaml"
    path.write_text(text)
    training = tmp_path / "training.db"
    create_database(f"sqlite:///{training}", "training")
    before = snapshot(str(training))
    result = run("scenario", "play", str(path), "--auto", "--db", str(training))
    assert result.code == 1
    line = _line_of(text, "action: record_overstay")
    assert f"figure-2.yaml: step 2 (record_overstay, line {line}): " in result.err
    assert "leave is valid until 2012-04-11" in result.err
    assert snapshot(str(training)) == before


def test_failed_expectation_exits_1_naming_it(run, tmp_path) -> None:
    text = (SCENARIOS / "figure-2.yaml").read_text()
    path = tmp_path / "figure-2.yaml"
    path.write_text(text.replace("{etd_turnaround_days: 7}", "{etd_turnaround_days: 8}"))
    line = _line_of(text, "action: record_etd_issued")
    result = run("scenario", "check", str(path), "--json")
    assert result.code == 1
    assert result.json["ok"] is False
    assert result.err.strip().endswith(
        f"step 16 (record_etd_issued, line {line}): expected etd_turnaround_days = 8, found 7"
    ), result.err


def test_unexpected_acceptance_of_a_refused_step_fails(run, tmp_path) -> None:
    text = (
        (SCENARIOS / "figure-2.yaml")
        .read_text()
        .replace(
            "    action: record_overstay\n", "    action: record_overstay\n    refused: visa\n", 1
        )
    )
    path = tmp_path / "figure-2.yaml"
    path.write_text(text)
    result = run("scenario", "check", str(path))
    assert result.code == 1 and "expected to be refused (visa), but it was recorded" in result.err


@pytest.mark.parametrize("realm", ["live", "demo"])
def test_scenarios_and_forks_refuse_a_database_not_marked_training(run, tmp_path, realm) -> None:
    path = tmp_path / f"{realm}.db"
    create_database(f"sqlite:///{path}", realm)
    before = snapshot(str(path))
    played = run("scenario", "play", "figure-2", "--auto", "--db", str(path))
    assert played.code == 1 and played.err.count("\n") == 1
    assert f"refused: this is a {realm} database" in played.err
    forked = run("--db", str(path), "scenario", "fork", "C-0000001", "--at", "2")
    assert forked.code == 1 and f"this is a {realm} database" in forked.err
    assert snapshot(str(path)) == before


def _line_of(text: str, marker: str) -> int:
    """The line of the step (its first key, "- entry" or "- effective") holding ``marker``."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if marker in line)
    while not lines[at].lstrip().startswith("- "):
        at -= 1
    return at + 1
