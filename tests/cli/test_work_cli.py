"""`casetracker due`, `tick`, `case claim|release|reassign` and `case act` on several cases
(issue 16): what scripts see, and every refusal one line, non-zero, the database unchanged."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from casetracker.domain import clock
from tests.helpers import arrested_in_custody

NOW = datetime(2016, 3, 3, 12, tzinfo=UTC)


def _events(db: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT position, hash FROM events ORDER BY position").fetchall()


@pytest.fixture
def cases(run, db) -> list[str]:
    """Two arrests of 1 March 2016 still in police custody; the clock two days later."""
    clock.set_clock(lambda: NOW)
    opened = []
    for _ in range(2):
        opened.append(arrested_in_custody(run, db))
    return opened


def test_due_then_tick_records_each_once(run, db, cases):
    due = run("--db", db, "due", "--overdue", "--json")
    assert due.code == 0, due.err
    kinds = sorted((d["case_id"], d["kind"]) for d in due.json["deadlines"])
    assert kinds == sorted((c, k) for c in cases for k in ("pace_expiry", "pace_extension"))
    ticked = run("--db", db, "tick", "--json")
    assert ticked.code == 0, ticked.err
    assert len(ticked.json["recorded"]) == 4
    again = run("--db", db, "tick")
    assert again.code == 0 and "0 deadlines recorded" in again.out
    assert run("--db", db, "due", "--json").json["deadlines"] == []
    history = run("--db", db, "case", "history", cases[0], "--json").json["events"]
    assert [(e["actor_user"], e["actor_role"]) for e in history][-2:] == [("system", "system")] * 2


def test_claim_then_act_on_several_cases(run, db, cases):
    claimed = run("--db", db, "--role", "police", "case", "claim", cases[0], "--queue", "custody")
    assert claimed.code == 0, claimed.err
    listed = run("--db", db, "--role", "police", "worklist", "--json").json["queues"]
    mine = next(q for q in listed if q["name"] == "mine")
    assert [i["case_id"] for i in mine["items"]] == [cases[0]]
    assert claimed.out.strip().endswith("you hold Encounter #1 in custody")
    # The item as the worklist names it is taken as well as its key (issue 17).
    released = run(
        "--db", db, "--role", "police", "case", "release", cases[0], "--queue", "custody",
        "--item", "Encounter #1",
    )  # fmt: skip
    assert released.code == 0, released.err
    again = run(
        "--db", db, "--role", "police", "case", "claim", cases[0], "--queue", "custody",
        "--item", "encounter  #1",
    )  # fmt: skip
    assert again.code == 0, again.err
    both = run(
        "--db", db, "--role", "police", "case", "act", *cases, "add_note", "-f", "text=seen",
        "--json",
    )  # fmt: skip
    assert both.code == 0, both.err
    assert [c["case_id"] for c in both.json["cases"]] == cases


def test_several_cases_one_refused_exits_1_and_records_the_others(run, db, cases):
    result = run("--db", db, "--role", "police", "case", "act", cases[0], "C-0000099", "add_note",
                 "-f", "text=seen")  # fmt: skip
    assert result.code == 1
    assert "add_note: 1 of 2 cases recorded" in result.out
    assert "C-0000099" in result.out


@pytest.mark.parametrize(
    "args",
    [
        ("case", "act", "1", "1", "add_note", "-f", "text=x"),  # the same case twice
        ("case", "act", "1", "2", "add_note", "--expect-version", "3", "-f", "text=x"),
        ("case", "act", "1", "2", "add_note", "-f", "nonsense=x"),  # malformed for every case
        ("case", "claim", "1", "--queue", "no_such_queue"),
        ("case", "claim", "1", "--queue", "custody", "--item", "encounter#9"),
        ("case", "release", "1", "--queue", "custody"),  # nobody holds it
        ("case", "reassign", "1", "--queue", "custody", "--to", "nobody"),  # police: no
        (
            "case",
            "act",
            "1",
            "deadline_passed",
            "-f",
            "deadline=x",
            "-f",
            "kind=x",
            "-f",
            "item=x",
            "-f",
            "due=x",
        ),  # only the tick records it
    ],
)
def test_refusals_are_one_line_and_change_nothing(run, db, cases, args):
    before = _events(db)
    result = run("--db", db, "--role", "police", *args)
    assert result.code in (1, 2), result.out
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert _events(db) == before  # a refusal for want of a role is logged, in the access log


def test_nobody_acts_in_the_system_role(run, db, cases):
    result = run("--db", db, "--role", "system", "case", "act", cases[0], "add_note", "-f", "t=x")
    assert result.code == 1 and "system" in result.err
    added = run("--db", db, "user", "add", "system", "--roles", "admin")
    assert added.code == 2 and "deadline clock" in added.err
