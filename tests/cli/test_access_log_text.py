"""`access-log` in text says what was refused and why, as the TUI's detail column and --json do,
and tells a refused action from a read denied: both had read "denied C-0000263"."""

from __future__ import annotations

import json

from casetracker.domain.access import DENIED, AccessEntry
from casetracker.presenters.text import access_line
from tests.helpers import arrested_in_custody


def test_a_refused_action_says_which_and_why(run, db):
    case_id = arrested_in_custody(run, db)
    refused = run("--db", db, "--role", "ccu", "case", "act", case_id, "take_no_further_action")
    assert refused.code == 1, refused.out
    log = run("--db", db, "--role", "auditor", "access-log", case_id)
    line = next(x for x in log.out.splitlines() if " denied" in x or " refused" in x)
    assert f"(ccu)  refused take_no_further_action {case_id}: " in line, line
    assert "ccu role may not" in line, line


def test_a_read_denied_says_it_was_a_read() -> None:
    entry = AccessEntry(
        7, "2016-07-01T09:00:00.000000Z", "pc.wyp", "police", DENIED, "C-0000263", "",
        json.dumps({"attempted": "history", "reasons": ["not a case of WYP"]}), "0", "1",
    )  # fmt: skip
    line = access_line(entry, {"authorise_proposal"})
    assert line.endswith("pc.wyp (police)  denied read (history) C-0000263: not a case of WYP")
    assert line.startswith("2016-07-01 10:00:00 BST")
