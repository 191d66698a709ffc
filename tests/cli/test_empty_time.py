"""A time given empty (``-e "$WHEN"`` with nothing in it) is a usage error, not now: ``case act``
and ``case open`` had recorded the event as happening at that moment and ``replay --as-of ''``
had shown the case as it stands, while a time left out still means now."""

from __future__ import annotations

import pytest

from tests.cli.conftest import snapshot
from tests.helpers import arrested_in_custody


@pytest.mark.parametrize(
    "command",
    [
        ["case", "act", "{case}", "add_note", "-f", "text=seen", "-e", ""],
        ["case", "act", "{case}", "add_note", "-f", "text=seen", "-e", "  "],
        ["case", "open", "-f", "name=B Person", "-e", ""],
        ["replay", "{case}", "--as-of", ""],
        ["replay", "{case}", "--recorded-as-of", ""],
    ],
)
def test_an_empty_time_is_a_usage_error_and_writes_nothing(run, db, command):
    case_id = arrested_in_custody(run, db)
    before = snapshot(db)
    args = [part.format(case=case_id) for part in command]
    refused = run("--db", db, "--role", "police", *args)
    assert refused.code == 2, (refused.out, refused.err)
    assert refused.err == "casetracker: effective time is empty\n"
    assert snapshot(db) == before


def test_a_time_left_out_is_still_now(run, db):
    case_id = arrested_in_custody(run, db)
    noted = run("--db", db, "--role", "police", "case", "act", case_id, "add_note", "-f", "text=x")
    assert noted.code == 0, noted.err
    assert run("--db", db, "--role", "police", "replay", case_id).code == 0
