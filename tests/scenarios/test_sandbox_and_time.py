"""The training sandbox (play, fork) and the two kinds of time (timeline, replay)."""

from __future__ import annotations

from casetracker.domain import clock
from casetracker.services.cases import Casetracker
from casetracker.services.training.sandbox import require_training
from tests.scenarios.conftest import db_path

AUDITOR = ("--as", "audit.demo")


def test_play_writes_a_training_case_and_says_training_everywhere(run, tmp_path) -> None:
    training = tmp_path / "training.db"
    result = run("scenario", "play", "figure-2", "--auto", "--db", str(training))
    assert result.code == 0, result.err
    screens = [b for b in result.out.split("\n\n") if "· step " in b]
    assert len(screens) == 23 and all(s.strip().startswith("[TRAINING]") for s in screens)
    require_training(f"sqlite:///{training}")  # created, and marked training
    ct = Casetracker(f"sqlite:///{training}", as_user="audit.demo", role="auditor")
    try:
        events = ct.history("C-0000001")
    finally:
        ct.close()
    assert len(events) == 24 and {e.realm for e in events} == {"training"}
    # recorded on the story's clock: the removal was keyed in on the day it happened
    assert events[-1].recorded.startswith("2015-10-04T23:00")


def test_play_json_shows_states_clocks_and_blocks(run, tmp_path) -> None:
    training = tmp_path / "training.db"
    result = run("scenario", "play", "bail-and-rearrest", "--db", str(training), "--json")
    assert result.code == 0, result.err
    steps = result.json["steps"]
    bailed = next(s for s in steps if s["action"] == "bail")
    assert "PACE clock (encounter #1): paused on bail, 14h00m left" in bailed["clocks"]
    refused = next(s for s in steps if s["refusal"])
    assert refused["event"] is None and "outside London" in refused["refusal"]


def test_play_stops_at_q(run, tmp_path, monkeypatch) -> None:
    import typer

    keys = iter(["n", "q"])
    monkeypatch.setattr(typer, "getchar", lambda: next(keys))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    result = run("scenario", "play", "figure-2", "--db", str(tmp_path / "t.db"))
    assert result.code == 0
    assert "(stopped after step 2)" in result.out


def test_timeline_flags_and_shows_both_times(run, figure_1) -> None:
    url, result = figure_1
    shown = run("--db", db_path(url), *AUDITOR, "case", "timeline", result.case_id, "--json")
    assert shown.code == 0, shown.err
    entries = shown.json["entries"]
    starts = [e["effective"][:7] for e in entries]
    assert starts == sorted(starts)  # effective-time order
    flagged = [e for e in entries if e["flags"]]
    assert len(flagged) == 1 and flagged[0]["flags"] == ["out_of_sequence"]
    assert flagged[0]["effective"] == "2016-05-11"
    assert "recorded between entries of 2014-05-01 and 2014-05-22" in flagged[0]["note"]
    assert shown.json["figures"]["arrests"] == 5
    assert shown.json["figures"]["absconder_listings"] == 2
    text = run("--db", db_path(url), *AUDITOR, "case", "timeline", result.case_id)
    assert text.out.startswith("[TRAINING DATABASE]")
    assert "OUT OF SEQUENCE" in text.out and "recorded 2016-05-11 00:00:00 BST" in text.out


def test_backdated_entry_is_flagged_with_both_times(tmp_path) -> None:
    from casetracker.presenters.timeline import build_timeline
    from casetracker.services.training.player import run
    from casetracker.services.training.sandbox import fresh_sandbox
    from casetracker.services.training.scenarios import load

    result = run(load("out-of-hours-release"), fresh_sandbox(tmp_path))
    flagged = [e for e in build_timeline(result.events) if e.flags]
    assert [(e.action, e.flags) for e in flagged] == [("pass_to_io", ["backdated"])]
    assert flagged[0].as_dict()["recorded"] == "2016-03-08T09:00:00Z"
    assert flagged[0].effective.text == "2016-03-06T07:30:00Z"


def test_replay_as_of_an_effective_date_and_as_recorded(run, figure_1) -> None:
    url, result = figure_1
    db = db_path(url)
    as_of = run("--db", db, *AUDITOR, "replay", result.case_id, "--as-of", "2014-05-10", "--json")
    assert as_of.code == 0, as_of.err
    assert as_of.json["lifecycles"]["reporting"]["state"] == "listed_absconder"
    assert "barrier#2" not in as_of.json["lifecycles"]  # dated 2016: not yet true in May 2014
    assert as_of.json["figures"]["absconder_listings"] == 1
    assert as_of.json["figures"]["days_detained"] == 34
    # the record as it stood just before the claim dated 11 May 2016 was keyed in
    said = run(
        "--db", db, *AUDITOR, "replay", result.case_id, "--recorded-as-of", "2016-05-10T22:00Z"
    )
    assert said.code == 0, said.err
    recorded = run(
        "--db",
        db,
        *AUDITOR,
        "replay",
        result.case_id,
        "--recorded-as-of",
        "2016-05-10T22:00Z",
        "--json",
    )
    lifecycles = recorded.json["lifecycles"]
    assert "barrier#2" not in lifecycles and "encounter#5" in lifecycles
    assert recorded.json["figures"]["out_of_sequence"] == 0


def test_fork_copies_up_to_the_step_and_diverges(run, figure_1) -> None:
    url, result = figure_1
    db = db_path(url)
    stopped = next(e.seq for e in result.events if e.action == "record_missed_reporting")
    forked = run(
        "--db", db, "scenario", "fork", result.case_id, "--at", str(stopped - 1),
        "--why", "what if he had reported?", "--json",
    )  # fmt: skip
    assert forked.code == 0, forked.err
    new_id = forked.json["case_id"]
    assert forked.json["copied"] == stopped - 2
    went_on = run(
        "--db", db, "--as", "io.demo", "case", "act", new_id, "record_report_made",
        "-e", "2014-04-18",
    )  # fmt: skip
    assert went_on.code == 0, went_on.err
    clock.set_clock(None)
    shown = run("--db", db, *AUDITOR, "case", "timeline", new_id, "--json")
    data = shown.json
    assert data["forked_from"] == {"case_id": result.case_id, "at_event": stopped - 1}
    copied = [e for e in data["entries"] if "copied" in e["flags"]]
    assert len(copied) == stopped - 1
    assert data["entries"][-1]["action"] == "record_report_made"
    source = run("--db", db, *AUDITOR, "case", "history", result.case_id, "--json")
    assert len(source.json["events"]) == len(result.events)  # the source is unchanged


def test_fork_refuses_an_event_the_case_does_not_have(run, figure_1) -> None:
    url, result = figure_1
    bad = run("--db", db_path(url), "scenario", "fork", result.case_id, "--at", "999")
    assert bad.code == 2 and "cannot fork at 999" in bad.err


def test_play_reads_lines_from_a_pipe_and_stops_at_end_of_input(run, tmp_path, monkeypatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("\n\n"))
    result = run("scenario", "play", "figure-2", "--db", str(tmp_path / "t.db"))
    assert result.code == 0
    assert "(stopped after step 3)" in result.out
