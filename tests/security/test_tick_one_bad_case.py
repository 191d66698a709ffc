"""One case whose projection row is out of step with the log (a member of the application
role may write `cases` on PostgreSQL, a policeman of his own force's rows) does not stop
`tick` recording every other case's passed deadlines.

The tick recorded its cases a batch to a transaction and went back to a case per transaction
only on a conflict: the out-of-step case's ``DatabaseError`` ended the tick, and no later
case's deadline was recorded as passed, for any force, at this run or any later one.  Now
that case is logged as refused and named (exit 1), and every other case is recorded.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from casetracker.domain import clock
from casetracker.services.cases import Casetracker
from casetracker.services.work import tick
from tests.helpers import arrested_in_custody
from tests.security.test_postgres_forces import Force, forces  # noqa: F401

NOW = datetime(2016, 3, 3, 12, tzinfo=UTC)
ARREST = {"offence": "theft", "offence_category": "theft", "custody_suite": ""}


def _by_system(run, db, case_id: str) -> int:
    events = run("--db", db, "case", "history", case_id, "--json").json["events"]
    return sum(e["actor_user"] == "system" for e in events)


def test_one_case_out_of_step_does_not_stop_the_tick(run, db):
    clock.set_clock(lambda: NOW)
    opened = [arrested_in_custody(run, db) for _ in range(3)]
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE cases SET version = version + 1 WHERE case_id = ?", (opened[1],))
    ticked = run("--db", db, "tick", "--json")
    assert ticked.code == 1, ticked.err
    assert ticked.err.strip().splitlines() == [
        f"casetracker: tick could not record {opened[1]}: the current-state table is out of "
        f"step with the log for case {opened[1]}: run `casetracker rebuild`"
    ]
    assert [r["case_id"] for r in ticked.json["not_recorded"]] == [opened[1]]
    assert {r["case_id"] for r in ticked.json["recorded"]} == {opened[0], opened[2]}
    assert [_by_system(run, db, c) for c in opened] == [2, 0, 2]
    with closing(sqlite3.connect(db)) as conn:
        denied = conn.execute(
            "SELECT case_id, detail FROM access_log WHERE action = 'denied'"
        ).fetchall()
    assert [(c, json.loads(d)["attempted"]) for c, d in denied] == [(opened[1], "tick")]
    assert run("--db", db, "rebuild").code == 0
    again = run("--db", db, "tick")  # put right, the case is recorded at the next tick
    assert again.code == 0, again.err
    assert _by_system(run, db, opened[1]) == 2


@pytest.mark.postgres
def test_a_police_member_cannot_stop_the_tick_for_every_force(forces):  # noqa: F811
    clock.set_clock(lambda: NOW)
    cases = {}
    for login, force in ((forces.mps, "MPS"), (forces.wmp, "WMP")):
        with closing(Casetracker(forces.url(login), role="police")) as officer:
            case_id = officer.open_case({"name": "A Person"}, "2016-03-01T09:00").case_id
            officer.act(case_id, "arrest", {**ARREST, "force": force}, "2016-03-01T10:00")
            cases[force] = case_id
    with forces.psql(forces.mps) as conn:  # his own force's row, out of step with the log
        conn.execute("UPDATE cases SET version = version + 1 WHERE case_id = %s", (cases["MPS"],))
    with closing(Casetracker(forces.url(forces.auditor), role="auditor")) as runner:
        result = tick(runner, NOW)
    assert [c for c, _ in result.failed] == [cases["MPS"]]
    assert {c for c, _ in result.recorded} == {cases["WMP"]}
