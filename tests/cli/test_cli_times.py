"""Times in the command line's text are a person's: how long is left or how long ago, in the
TUI's words (``presenters.urgency``), and instants in UK local time with the zone named; only
``--json`` keeps the UTC instants.  A PACE clock printed as ``2026-12-07T00:34:50Z`` under
"PACE left" was an hour off for a custody officer reading it in summer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casetracker.domain import clock
from tests.helpers import arrested_in_custody

# An arrest at 10:00 BST on 1 July 2016 (09:00 UTC), read five minutes later.
NOW = datetime(2016, 7, 1, 9, 5, tzinfo=UTC)


@pytest.fixture
def arrested(run, db) -> str:
    clock.set_clock(lambda: NOW)
    return arrested_in_custody(run, db, day="2016-07-01")


def test_the_worklist_says_how_long_is_left_as_the_tui_does(run, db, arrested):
    listed = run("--db", db, "worklist", "--role", "police")
    assert listed.code == 0, listed.err
    line = next(x for x in listed.out.splitlines() if arrested in x and "PACE left" in x)
    assert "PACE left 23 h 55 min" in line, line
    assert "[next deadline: extend PACE in 21 h 55 min]" in line, line
    assert "2016-07-02T" not in line and "Z" not in line.split("PACE left")[1].split()[0]
    data = run("--db", db, "worklist", "--role", "police", "--json").json
    custody = next(q for q in data["queues"] if q["name"] == "custody")
    assert custody["items"][0]["due"] == "2016-07-02T09:00:00Z"  # scripts keep the instant


def test_a_waiting_item_says_how_long_ago(run, db, arrested):
    referred = run(
        "--db", db, "--role", "police", "case", "act", arrested, "refer_to_ccu", "-f",
        "encounter=1", "-e", "2016-07-01T10:01",
    )  # fmt: skip
    assert referred.code == 0, referred.err
    clock.set_clock(lambda: datetime(2016, 7, 1, 11, 10, tzinfo=UTC))
    listed = run("--db", db, "worklist", "--role", "ccu")
    line = next(x for x in listed.out.splitlines() if arrested in x)
    assert "referred 2 h 09 min ago" in line, line


def test_the_admin_worklist_shows_when_a_case_changed_in_uk_time(run, db, arrested):
    listed = run("--db", db, "worklist", "--role", "admin")
    assert listed.code == 0, listed.err
    line = next(x for x in listed.out.splitlines() if arrested in x)
    assert "updated 2016-07-01 10:05 BST" in line, line


def test_due_is_in_uk_time_with_how_long_is_left(run, db, arrested):
    due = run("--db", db, "due")
    assert due.code == 0, due.err
    line = next(x for x in due.out.splitlines() if "pace_expiry" in x)
    assert line.startswith("2016-07-02 10:00 BST (in 23 h 55 min)  " + arrested), line
    data = run("--db", db, "due", "--json").json["deadlines"]
    assert "2016-07-02T09:00:00Z" in [d["due"] for d in data]


def test_tick_says_when_in_uk_time(run, db, arrested):
    clock.set_clock(lambda: datetime(2016, 7, 3, 9, 0, tzinfo=UTC))
    ticked = run("--db", db, "tick")
    assert ticked.code == 0, ticked.err
    assert f"{arrested}  2016-07-02 10:00 BST  encounter#1" in ticked.out
    assert "tick at 2016-07-03 10:00:00 BST: 2 deadlines recorded as passed" in ticked.out
