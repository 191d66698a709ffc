"""``case claim|release|reassign`` without ``--item`` on another force's case: the worklist it
looks the item up in lists no such case, and the refusal had been "has no item in the queue",
never logged, where every other path answers an unknown case and logs the refusal."""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
from contextlib import closing

import pytest

from tests.cli.conftest import snapshot
from tests.helpers import arrested_in_custody

ROLES = "admin,police,ccu,immigration_officer,casework,auditor"
ME = pwd.getpwuid(os.geteuid()).pw_name


def _denials(db: str) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT case_id, detail FROM access_log WHERE action = 'denied'")
        return [(case_id, json.loads(detail)["attempted"]) for case_id, detail in rows]


@pytest.mark.parametrize(
    ("command", "attempted"),
    [
        (["claim", "{case}", "--queue", "custody"], "claim_item"),
        (["release", "{case}", "--queue", "custody"], "release_item"),
        (["reassign", "{case}", "--queue", "custody", "--to", ME], "reassign_item"),
    ],
)
def test_another_forces_item_is_an_unknown_case_and_logged(run, db, command, attempted):
    case_id = arrested_in_custody(run, db)  # the Met's, in custody
    moved = run("--db", db, "user", "add", ME, "--roles", ROLES, "--force", "WMP")
    assert moved.code == 0, moved.err
    before = _denials(db)
    args = [part.format(case=case_id) for part in command]
    refused = run("--db", db, "--role", "police", "case", *args)
    assert refused.code == 1, refused.err
    assert refused.err == f"casetracker: unknown case '{case_id}'\n"
    assert _denials(db) == [*before, (case_id, attempted)]


def test_an_item_of_no_case_is_an_unknown_case(run, db):
    arrested_in_custody(run, db)
    before = snapshot(db)
    refused = run("--db", db, "--role", "ccu", "case", "claim", "99", "--queue", "status_check")
    assert refused.code == 1 and refused.err == "casetracker: unknown case 'C-0000099'\n"
    assert snapshot(db) == before
