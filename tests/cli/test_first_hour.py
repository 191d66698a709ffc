"""What a new user tripped over in their first hour (issue 17's command line), as they type it."""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
from pathlib import Path

import pytest

from tests.cli.conftest import snapshot
from tests.cli.test_cli_core import _open

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def test_locate_honours_db(run, tmp_path):
    path = tmp_path / "elsewhere.db"
    for argv in (["--db", str(path), "locate"], ["locate", "--db", str(path)]):
        result = run(*argv, "--json")
        assert result.code == 0
        assert json.loads(result.out)["database"] == f"sqlite:///{path}"


def test_show_needs_a_role_exactly_when_act_does(run, db):
    case_id = _open(run, db)
    before = snapshot(db)
    for argv in (["case", "show", case_id], ["case", "act", case_id, "add_note", "-f", "text=x"]):
        result = run("--db", db, *argv)
        assert result.code == 2, argv
        assert result.err.count("\n") == 1 and "say which you act in with --role" in result.err
    assert snapshot(db) == before
    assert run("--db", db, "--role", "ccu", "case", "show", case_id).code == 0


def test_show_and_act_need_no_role_from_a_user_holding_one(run, tmp_path):
    db = str(tmp_path / "one-role.db")
    assert run("--db", db, "init", "--roles", "ccu").code == 0
    opened = run("--db", db, "case", "open", "-f", "name=Ann Example", "--json")
    assert opened.code == 0, opened.err
    case_id = opened.json["case_id"]
    assert run("--db", db, "case", "show", case_id).code == 0
    assert run("--db", db, "case", "act", case_id, "add_note", "-f", "text=x").code == 0


def test_export_takes_a_case_number(run, db, tmp_path):
    case_id = _open(run, db)
    out = tmp_path / "b.jsonl"
    args = ("--db", db, "--role", "auditor", "export", "1", "--out", str(out), "--reason", "x")
    result = run(*args, "--json")
    assert result.code == 0, result.err
    first = json.loads(out.read_text().splitlines()[1])
    assert first["case_id"] == case_id


def test_export_of_a_malformed_case_id_is_one_line_and_writes_nothing(run, db, tmp_path):
    _open(run, db)
    out = tmp_path / "b.jsonl"
    before = snapshot(db)
    args = ("--db", db, "--role", "auditor", "export", "one", "--out", str(out), "--reason", "x")
    result = run(*args)
    assert result.code == 2 and result.err.count("\n") == 1 and "is not a case id" in result.err
    assert not out.exists() and snapshot(db) == before


def test_serve_refuses_a_live_database_without_allow_live(run, db):
    before = snapshot(db)
    result = run("--db", db, "serve", "--port", "1")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "no login of its own" in result.err and "--allow-live" in result.err
    assert snapshot(db) == before


def test_serve_refuses_a_missing_database_in_one_line(run, tmp_path):
    result = run("--db", str(tmp_path / "none.db"), "serve")
    assert result.code == 1 and result.err.count("\n") == 1 and "no database at" in result.err
    assert not (tmp_path / "none.db").exists()


def _readme_line(fragment: str) -> list[str]:
    """The README's command containing ``fragment``, as argv after ``casetracker``."""
    me = pwd.getpwuid(os.geteuid()).pw_name
    for line in README.read_text().splitlines():
        if line.startswith("casetracker ") and fragment in line:
            command = line.split("  #")[0].replace('"$(id -un)"', me)
            return shlex.split(command)[1:]
    raise AssertionError(f"no README command with {fragment!r}")


@pytest.fixture
def readme_home(tmp_path, monkeypatch, run):
    """The README's first two commands, run in a fresh home: the default database and you."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASETRACKER_DB", raising=False)
    monkeypatch.chdir(ROOT)
    for fragment in ("init --roles admin,police", 'user add "$(id -un)"'):
        done = run(*_readme_line(fragment))
        assert done.code == 0, done.err
    return tmp_path


def test_the_readme_import_line_runs_as_is(run, readme_home):
    done = run(*_readme_line("import docs/examples/arrests.csv"))
    assert done.code == 0, done.err
    assert done.out.startswith("imported 7 rows: 6 cases")
    assert run("verify").code == 0
    table = run("report", "referrals", "--year", "2015")
    assert "CCU %" in table.out and "not referred %" in table.out and "ccu_rate" not in table.out
    assert "CCU + local + not referred = 100% of arrests in every row" in table.out
    csv_out = run("report", "referrals", "--year", "2015", "--format", "csv").out
    assert csv_out.splitlines()[0].startswith("force,arrested,ccu,local_io")  # names for scripts


def test_the_readme_case_lines_run_as_is(run, readme_home):
    """The README's user holds two roles, so each line that acts or searches names one."""
    for fragment in ("case open -f", "case act C-0000001 add_note", "case search --name"):
        done = run(*_readme_line(fragment))
        assert done.code == 0, (fragment, done.err)
    assert done.out.startswith("C-0000001")  # the search found the case opened above
    run(*_readme_line("case open -f"))  # a second case for the line that acts on two
    done = run(*_readme_line("case act C-0000001 C-0000002"))
    assert done.code == 0, done.err


def test_rates_that_do_not_add_up_say_why(run, readme_home, tmp_path):
    feed = (ROOT / "docs/examples/arrests.csv").read_text().splitlines()
    header, first = feed[0], feed[1]
    columns = header.split(",")
    again = first.split(",")
    again[columns.index("arrested_at")] = "2015-07-01T16:00"  # the same person, a second call
    again[columns.index("outcome")] = again[columns.index("outcome_at")] = ""
    again[columns.index("referred_at")] = ""
    again[columns.index("referral_route")] = "local_io"  # the second time by another route
    path = tmp_path / "repeat.csv"
    path.write_text("\n".join([header, first, ",".join(again)]) + "\n")
    assert run("--role", "police", "import", str(path)).code == 0
    calls = run("report", "referrals", "--year", "2015").out  # two arrests, one referral each
    assert "= 100% of arrests in every row" in calls
    people = run("report", "referrals", "--year", "2015", "--count", "people").out
    assert "exceed 100% for MPS, All forces: an arrest referred more than once" in people


def test_durations_read_in_days_from_two_days() -> None:
    from casetracker.services.reports import Table, render

    table = Table("t", ["measure", "median_h", "max_h"], [["x", 5.25, 100.0]], [], {})
    table.meta["report"] = "durations"
    text = render(table, "table")
    assert "5.2 h" in text and "4.2 d" in text and "median" in text and "median_h" not in text
    assert "median_h" in render(table, "csv")


def test_the_readme_training_lines_follow_the_case_play_recorded(run, tmp_path, monkeypatch):
    """After another play, figure-1 is not C-0000001: the README's lines read it as 'last'."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("appeal-against-removal", "figure-1"):  # the first is the shortest there is
        played = run("scenario", "play", name, "--auto", "--json")
        assert played.code == 0, played.err
    case_id = played.json["case_id"]
    assert case_id != "C-0000001"
    training = str(tmp_path / "data" / "casetracker" / "training.db")
    for fragment in ("case timeline last", "replay last --as-of", "replay last --recorded-as-of"):
        argv = [training if a == "$T" else a for a in _readme_line(fragment)]
        done = run(*argv, "--json")
        assert done.code == 0, (fragment, done.err)
        assert done.json["case_id"] == case_id
    forked = run(*_readme_line("scenario fork last"), "--json")
    assert forked.code == 0 and forked.json["forked_from"] == case_id


def test_last_in_an_empty_database_is_one_line(run, db):
    before = snapshot(db)
    result = run("--db", db, "--role", "police", "case", "show", "last")
    assert result.code == 2 and result.err.count("\n") == 1 and "there is no case yet" in result.err
    assert snapshot(db) == before


def test_report_chart_draws_under_the_table(run, readme_home):
    assert run(*_readme_line("import docs/examples/arrests.csv")).code == 0
    drawn = run("report", "referrals", "--year", "2015", "--chart")
    assert drawn.code == 0, drawn.err
    assert "CCU %" in drawn.out and "\x1b[" not in drawn.out  # not a terminal: no colour codes
    for tick in ("100%", "60%", "0%"):
        assert tick in drawn.out
    assert "bars, left to right in each group: CCU, local, not referred" in drawn.out
    assert "All forces" in drawn.out.split("bars, left to right")[0].splitlines()[-2]
    for report in ("durations", "high-harm"):
        assert run("report", report, "--chart").code == 0
    refused = run("report", "referrals", "--year", "2015", "--chart", "--format", "csv")
    assert refused.code == 2 and refused.err.count("\n") == 1 and "--chart" in refused.err


def test_timeline_chart_marks_the_out_of_sequence_entry(run, tmp_path, monkeypatch):
    """Figure 1's human-rights claim, recorded in 2016 among 2014's entries, is marked."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert run("scenario", "play", "figure-1", "--auto").code == 0
    training = str(tmp_path / "data" / "casetracker" / "training.db")
    drawn = run("--db", training, "--as", "audit.demo", "case", "timeline", "last", "--chart")
    assert drawn.code == 0, drawn.err
    lines = drawn.out.splitlines()
    lanes = {line.strip().split("  ")[0]: line for line in lines if "  " in line.strip()}
    assert {"Case file", "Encounter #1", "Detention", "Removal"} <= set(lanes)
    marked = [line for line in lines if "!" in line and "Claim or challenge" in line]
    assert marked and "recorded out of sequence: Claim or challenge" in drawn.out
    assert "2010-12-01" in lines[3]  # the strip starts with the case's first step
    refused = run(
        "--db", training, "--as", "audit.demo", "case", "timeline", "1", "--chart", "--json"
    )
    assert refused.code == 2 and refused.err.count("\n") == 1


def test_a_played_step_states_what_held_in_labels(run, tmp_path, monkeypatch):
    """A trainee reads each expectation by the definitions' labels ("Status check #1:
    Immigration offender"), not as the scenario file writes it ("status_check#1 =
    immigration_offender")."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    played = run("scenario", "play", "figure-1", "--auto")
    assert played.code == 0, played.err
    held = [line.strip() for line in played.out.splitlines() if line.strip().startswith("✓")]
    assert "✓ Status check #1: Immigration offender" in held, held
    assert not [line for line in held if re.search(r"\w#\d|= [a-z]+_[a-z_]+", line)], held
