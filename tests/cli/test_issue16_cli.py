"""The command line of issue 16 items 3-5: case propose / authorise / reject, user add
--superintendent, case search and workflows migrate.  Each user error is one line on stderr, a
non-zero exit and the database unchanged."""

from __future__ import annotations

import os
import pwd
import sqlite3


def _events(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def _open(run, db: str) -> str:
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=Ann Example",
                 "-f", "date_of_birth=1990-01-02", "-f", "identifiers=PNC 11/22A",
                 "--json")  # fmt: skip
    assert opened.code == 0, opened.err
    return str(opened.json["case_id"])


def test_four_eyes_on_the_command_line(run, db):
    case_id = _open(run, db)
    me = pwd.getpwuid(os.geteuid()).pw_name
    marked = run("--db", db, "--role", "admin", "user", "add", me, "--roles",
                 "admin,police,immigration_officer,casework", "--force", "MPS",
                 "--superintendent")  # fmt: skip
    assert marked.code == 0 and "superintendent" in marked.out, marked.err
    before = _events(db)
    direct = run("--db", db, "--role", "immigration_officer", "case", "act", case_id,
                 "detain_under_immigration_powers")  # fmt: skip
    assert direct.code == 1 and "second Home Office user" in direct.err
    assert len(direct.err.strip().splitlines()) == 1
    proposed = run("--db", db, "--role", "immigration_officer", "case", "propose", case_id,
                   "detain_under_immigration_powers")  # fmt: skip
    assert proposed.code == 0 and "authorisation#1" in proposed.out, proposed.err
    own = run("--db", db, "--role", "casework", "case", "authorise", case_id, "--proposal", "1")
    assert own.code == 1 and "the same person may not authorise" in own.err
    assert _events(db) == before + 1  # the proposal alone
    queue = run("--db", db, "--role", "casework", "worklist")
    assert "Detention and removal to authorise" in queue.out and case_id in queue.out, queue.err
    withdrawn = run("--db", db, "--role", "immigration_officer", "case", "reject", case_id,
                    "--proposal", "1", "--reason", "withdrawn")  # fmt: skip
    assert withdrawn.code == 0, withdrawn.err
    bad = run("--db", db, "--role", "police", "case", "propose", case_id, "add_note")
    assert bad.code == 2 and "not an action under four eyes" in bad.err


def test_search_on_the_command_line(run, db):
    case_id = _open(run, db)
    found = run("--db", db, "--role", "casework", "case", "search", "--name", "ann",
                "--identifier", "pnc 1122a", "--reason", "identity check", "--json")  # fmt: skip
    assert found.code == 0, found.err
    assert [c["case_id"] for c in found.json["cases"]] == [case_id]
    assert "Ann" not in found.out  # cases, not people
    for args, message in (
        (("--name", "ann"), "Missing option '--reason'"),
        (("--reason", "x"), "something to search by"),
        (("--dob", "1990-02-30", "--reason", "x"), "not a date"),
        (("--state", "nope=open", "--reason", "x"), "LIFECYCLE=STATE"),
    ):
        refused = run("--db", db, "--role", "casework", "case", "search", *args)
        assert refused.code == 2 and message in refused.err, (args, refused.err)


def test_migrate_on_the_command_line(run, db):
    _open(run, db)
    before = _events(db)
    none = run("--db", db, "--role", "admin", "workflows", "migrate", "case", "--to", "2")
    assert none.code == 2 and "case has no version 2 (its versions: 1)" in none.err
    same = run("--db", db, "--role", "admin", "workflows", "migrate", "case", "--to", "1",
               "--dry-run")  # fmt: skip
    assert same.code == 0 and "no case has case on a version before 1" in same.out
    police = run("--db", db, "--role", "police", "workflows", "migrate", "case", "--to", "1")
    assert police.code == 1 and "only: admin" in police.err
    assert _events(db) == before


def test_proposing_for_a_record_the_case_lacks_names_the_record(run, db):
    """A PACE extension proposed on a case with no arrest: the refusal says the case has no
    open encounter, in words, not "this case has no encounter #1 — name the encounter" (no
    number was given, and naming one would not help); one line, exit 1, nothing written."""
    case_id = _open(run, db)
    me = pwd.getpwuid(os.geteuid()).pw_name
    marked = run("--db", db, "--role", "admin", "user", "add", me, "--roles",
                 "admin,police", "--force", "MPS", "--superintendent")  # fmt: skip
    assert marked.code == 0, marked.err
    before = _events(db)
    refused = run("--db", db, "--role", "police", "case", "propose", case_id, "extend_detention")
    assert refused.code == 1, refused.out
    assert "this case has no open encounter that extend_detention could be for" in refused.err
    assert "#1" not in refused.err and len(refused.err.strip().splitlines()) == 1
    assert _events(db) == before


def test_proposing_with_two_encounters_open_asks_which(run, db):
    """Two arrests, both encounters in custody: a PACE extension proposed without --instance
    is refused, naming both (the latest had been taken without a word); one line, exit 2,
    nothing written.  With --instance it is proposed for that one."""
    case_id = _open(run, db)
    me = pwd.getpwuid(os.geteuid()).pw_name
    marked = run("--db", db, "--role", "admin", "user", "add", me, "--roles",
                 "admin,police", "--force", "MPS")  # fmt: skip
    assert marked.code == 0, marked.err
    for _ in range(2):
        arrested = run("--db", db, "--role", "police", "case", "act", case_id, "arrest",
                       "-f", "offence=theft", "-f", "offence_category=theft", "-f", "force=MPS",
                       "-e", "now")  # fmt: skip
        assert arrested.code == 0, arrested.err
    before = _events(db)
    refused = run("--db", db, "--role", "police", "case", "propose", case_id, "extend_detention")
    assert refused.code == 2, refused.out
    assert refused.err.strip() == (
        "casetracker: encounter #1 and encounter #2 are open: name the one extend_detention "
        "is for with --instance"
    )
    assert _events(db) == before
    named = run("--db", db, "--role", "police", "case", "propose", case_id, "extend_detention",
                "--instance", "1", "--json")  # fmt: skip
    assert named.code == 0, named.err
    assert _events(db) == before + 1
