"""`casetracker demo` and `tick` as a newcomer met them on the demo database.

`tick` says it records "as the user system", so the newcomer ran it without `--as` and was told
only that their account was not registered; `demo` could not be made afresh once its clocks had
run out.
"""

from __future__ import annotations

import shlex

from casetracker import paths


def test_tick_on_a_demo_database_says_which_user_runs_it(run, tmp_path) -> None:
    db = str(tmp_path / "demo.db")
    assert run("--db", db, "init", "--realm", "demo").code == 0
    refused = run("--db", db, "tick")
    assert refused.code != 0
    assert "not registered in this demo database" in refused.err
    assert "`casetracker --as admin.demo tick`" in refused.err
    ran = run("--db", db, "--as", "admin.demo", "tick")
    assert ran.code == 0, ran.err
    helped = " ".join(run("tick", "--help").out.split())
    assert "run by a registered user" in helped and "--as admin.demo tick" in helped


def test_demo_fresh_makes_the_demo_again_and_never_replaces_a_live_database(
    run, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = paths.demo_db_path()
    assert run("demo", "--cases", "0", "--no-ui").code == 0
    first = path.stat().st_mtime_ns
    assert run("demo", "--cases", "0", "--no-ui").code == 0
    assert path.stat().st_mtime_ns == first  # kept without --fresh
    fresh = run("demo", "--cases", "0", "--no-ui", "--fresh")
    assert fresh.code == 0, fresh.err
    assert "deleted the demo database" in fresh.err and path.exists()
    path.unlink()
    assert run("--db", str(path), "init").code == 0  # a live database where the demo goes
    before = path.read_bytes()
    refused = run("demo", "--cases", "0", "--no-ui", "--fresh")
    assert refused.code == 2
    assert "is a live database, not a demo one" in refused.err
    assert path.read_bytes() == before


def test_the_fork_hint_runs_as_printed_at_the_storys_time(run, tmp_path, monkeypatch) -> None:
    """The hint had no `--as` (the OS user is not in a training database) and no `-e`, so an
    action was dated now, years after a 2015 story, with every clock on the case run out."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    played = run("scenario", "play", "appeal-against-removal", "--auto", "--json")
    assert played.code == 0, played.err
    case_id = played.json["case_id"]
    forked = run("scenario", "fork", case_id, "--at", "3")
    assert forked.code == 0, forked.err
    hint = forked.out.split("`")[1]
    assert " --as io.demo " in hint and " -e " in hint
    when = hint.split(" -e ")[1].split()[0]
    assert not when.startswith("2026")  # the story's time, not the clock's
    argv = shlex.split(hint)[1:]
    argv[argv.index("ACTION")] = "add_note"
    done = run(*argv, "-f", "text=continued from the fork", "--json")
    assert done.code == 0, done.err
    new_id = argv[argv.index("act") + 1]
    history = run("--db", argv[1], "--as", "audit.demo", "case", "history", new_id, "--json")
    assert history.json["events"][-1]["effective"].startswith(when[:10])


def test_scenario_play_wraps_its_narration_at_word_breaks(run, tmp_path, monkeypatch) -> None:
    """Narration ran past the terminal's edge and the terminal cut it mid-word."""
    from casetracker.services.training.scenarios import load

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "60")
    played = run("scenario", "play", "appeal-against-removal", "--auto")
    assert played.code == 0, played.err
    lines = played.out.splitlines()[:-1]  # the last: a command to copy, kept whole
    assert [line for line in lines if len(line) > 60 and " " in line.strip()] == []
    said = " ".join(played.out.split())
    for step in load("appeal-against-removal").steps:
        assert " ".join(step.narration.split()) in said
