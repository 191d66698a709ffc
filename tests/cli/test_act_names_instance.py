"""``case act`` on a case where several open records could take the action (two arrests, both
encounters in custody) and no ``--instance``: refused in one line naming them, exit 2, nothing
written, as ``case propose`` is.  It had released (or charged, or bailed) the latest encounter
without a word, which a custody officer meaning the first could not tell from the output.  A
named instance, or a case with one open record, acts as before."""

from __future__ import annotations

import os
import pwd

from tests.cli.test_issue16_cli import _events, _open


def _two_in_custody(run, db: str) -> str:
    case_id = _open(run, db)
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert run("--db", db, "--role", "admin", "user", "add", me, "--roles", "admin,police",
               "--force", "MPS").code == 0  # fmt: skip
    for _ in range(2):
        arrested = run("--db", db, "--role", "police", "case", "act", case_id, "arrest",
                       "-f", "offence=theft", "-f", "offence_category=theft", "-f", "force=MPS",
                       "-e", "now")  # fmt: skip
        assert arrested.code == 0, arrested.err
    return case_id


def test_an_action_several_open_records_could_take_asks_which(run, db):
    case_id = _two_in_custody(run, db)
    before = _events(db)
    refused = run("--db", db, "--role", "police", "case", "act", case_id,
                  "release_without_charge", "-e", "now")  # fmt: skip
    assert refused.code == 2, refused.out
    assert refused.err.strip() == (
        "casetracker: encounter #1 and encounter #2 are open: name the one "
        "release_without_charge is for with --instance"
    )
    assert _events(db) == before
    named = run("--db", db, "--role", "police", "case", "act", case_id,
                "release_without_charge", "--instance", "1", "-e", "now", "--json")  # fmt: skip
    assert named.code == 0, named.err
    assert named.json["instance"] == "encounter#1"
    alone = run("--db", db, "--role", "police", "case", "act", case_id,
                "release_without_charge", "-e", "now", "--json")  # fmt: skip
    assert alone.code == 0 and alone.json["instance"] == "encounter#2", alone.err
