"""The only admin giving up the admin role (``user add $USER --roles police`` to stop acting as
admin by mistake): the database had been left with no admin, so no one could ever register or
change a user, declare a file repaired or erase a reason again, and ``init --roles`` does not
give an existing database's users roles back.  It is refused, logged, and nothing changes."""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
from contextlib import closing

ME = pwd.getpwuid(os.geteuid()).pw_name
ROLES = "admin,police,ccu,immigration_officer,casework,auditor"


def _users(run, db: str) -> dict[str, list[str]]:
    listed = run("--db", db, "user", "list", "--json").json["users"]
    return {u["name"]: u["roles"] for u in listed}


def _denials(db: str) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT detail FROM access_log WHERE action = 'denied'").fetchall()
    return [json.loads(detail)["attempted"] for (detail,) in rows]


def test_the_only_admin_cannot_give_up_the_role(run, db):
    before = _users(run, db)
    refused = run("--db", db, "--role", "admin", "user", "add", ME, "--roles", "police",
                  "--force", "MPS")  # fmt: skip
    assert refused.code == 1, refused.err
    assert refused.err == (
        f"casetracker: {ME} is the only admin: give another user the admin role first, or no "
        "one could manage users again\n"
    )
    assert _users(run, db) == before and _denials(db) == ["manage users"]
    still = run("--db", db, "--role", "admin", "user", "add", "pc.west", "--roles", "police",
                "--force", "WMP")  # fmt: skip
    assert still.code == 0, still.err


def test_an_admin_may_give_it_up_once_another_holds_it(run, db):
    assert run("--db", db, "--role", "admin", "user", "add", "ada", "--roles", "admin").code == 0
    done = run("--db", db, "--role", "admin", "user", "add", ME, "--roles", "police",
               "--force", "MPS")  # fmt: skip
    assert done.code == 0, done.err
    assert _users(run, db)[ME] == ["police"] and _users(run, db)["ada"] == ["admin"]
