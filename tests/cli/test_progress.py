"""Progress on a terminal for the long commands; nothing when output is not a terminal."""

from __future__ import annotations

import os
import pwd
import sys
from contextlib import closing
from pathlib import Path

import pytest

ARRESTS = str(Path(__file__).resolve().parents[2] / "docs/examples/arrests.csv")


def _met_officer_database(url: str) -> None:
    """A database whose user is a police officer of the Met, whose arrests the feed holds (a
    police officer imports their own force's arrests only)."""
    from casetracker.services.cases import Casetracker
    from casetracker.services.setup import create_database

    create_database(url, "live", ("admin", "police"))
    me = pwd.getpwuid(os.geteuid()).pw_name
    with closing(Casetracker(url, role="admin")) as admin:
        admin.save_user(me, me, ("admin", "police"), "MPS")


@pytest.fixture
def terminal(monkeypatch):
    """Standard output and error claim to be terminals (rich then draws to the captured one)."""
    for stream in {type(sys.stdout), type(sys.stderr)}:  # pytest's capture: a class of its own
        monkeypatch.setattr(stream, "isatty", lambda _self: True)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich asks the file too; this settles it


@pytest.mark.parametrize(
    ("argv", "drawn"),
    [
        (["--role", "police", "import", "{feed}"], "import: checking"),
        (["rebuild"], "rebuild"),
        (["verify"], "verify"),
    ],
    ids=["import", "rebuild", "verify"],
)
def test_a_terminal_shows_progress_and_quiet_hides_it(run, db, terminal, tmp_path, argv, drawn):
    feeds = [tmp_path / "a.csv", tmp_path / "b.csv"]  # two files: a file imports only once
    text = Path(ARRESTS).read_text()
    feeds[0].write_text(text)
    feeds[1].write_text(text.replace("SAMPLE-", "OTHER-"))
    shown = run("--db", db, *[a.replace("{feed}", str(feeds[0])) for a in argv])
    assert shown.code == 0, shown.err
    assert drawn in shown.err
    assert "left" in shown.err  # the estimate (the rate shows once rich has two samples)
    quiet = run("--db", db, *[a.replace("{feed}", str(feeds[1])) for a in argv], "--quiet")
    assert quiet.code == 0 and quiet.err == ""


def test_no_progress_when_not_a_terminal(run, db):
    """The tests' own streams are not terminals: a script gets the result and nothing else."""
    done = run("--db", db, "--role", "police", "import", ARRESTS)
    assert done.code == 0 and done.err == ""
    assert run("--db", db, "rebuild").err == ""
    assert run("--db", db, "verify").err == ""


def test_import_reports_rows_checked_of_all(tmp_path):
    from casetracker.services.cases import Casetracker
    from casetracker.services.imports import import_file

    url = f"sqlite:///{tmp_path / 'p.db'}"
    _met_officer_database(url)
    seen: list[tuple[int, int | None]] = []
    with closing(Casetracker(url, role="police")) as ct:
        import_file(ct, Path(ARRESTS), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 7) and all(total == 7 for _, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] < 7


@pytest.mark.parametrize("halves", [False, True], ids=["one-process", "two-processes"])
def test_verify_reports_events_walked_of_the_log(tmp_path, monkeypatch, halves):
    """Counted up to every event of the log, never backwards; with the upper half in a worker
    process, the lower half's count is scaled to the whole log and still ends at it."""
    from casetracker.adapters import workers
    from casetracker.services.cases import Casetracker
    from casetracker.services.imports import import_file

    url = f"sqlite:///{tmp_path / 'v.db'}"
    _met_officer_database(url)
    if halves:
        monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    seen: list[tuple[int, int]] = []
    with closing(Casetracker(url, role="police")) as ct:
        import_file(ct, Path(ARRESTS))
        report = ct.verify(progress=lambda done, total: seen.append((done, total)))
    assert report.ok and report.events > 7
    assert seen[-1] == (report.events, report.events)
    assert all(total == report.events for _, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
