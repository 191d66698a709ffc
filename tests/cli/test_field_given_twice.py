"""A field given twice on the command line (``-f name=A -f name=B``, a pasted line repeated) is a
usage error: the last value had been recorded and the first dropped without a word, in the
hashed payload or the erasable subject record."""

from __future__ import annotations

import pytest

from tests.cli.conftest import snapshot
from tests.helpers import arrested_in_custody


@pytest.mark.parametrize(
    "command",
    [
        ["case", "open", "-f", "name=A Person", "-f", "name=B Person"],
        ["case", "act", "{case}", "add_note", "-f", "text=first", "-f", " text=second"],
        ["case", "propose", "{case}", "extend_detention", "-f", "x=1", "-f", "x=1"],
    ],
)
def test_a_field_given_twice_is_a_usage_error_and_writes_nothing(run, db, command):
    case_id = arrested_in_custody(run, db)
    before = snapshot(db)
    args = [part.format(case=case_id) for part in command]
    refused = run("--db", db, "--role", "police", *args)
    assert refused.code == 2, (refused.out, refused.err)
    assert refused.err.startswith("casetracker: field ") and "given twice" in refused.err
    assert snapshot(db) == before
