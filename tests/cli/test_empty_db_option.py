"""``--db ''`` (a script's ``--db "$DB"`` with nothing in it) is a usage error: it had been taken
for no ``--db`` at all, so ``init`` created, and every other command read and wrote, the default
database in the data directory, which on a workstation is the live one."""

from __future__ import annotations

import pytest

from tests.cli.conftest import snapshot
from tests.helpers import arrested_in_custody


@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_db_option_creates_and_reads_nothing(run, db, tmp_path, monkeypatch, empty):
    case_id = arrested_in_custody(run, db)
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("CASETRACKER_DB", db)  # what the empty --db had fallen back to
    before = snapshot(db)
    for command in (["init", "--roles", "admin"], ["--role", "police", "case", "act", case_id,
                                                   "add_note", "-f", "text=x"]):  # fmt: skip
        refused = run("--db", empty, *command)
        assert refused.code == 2, (refused.out, refused.err)
        assert refused.err == (
            "casetracker: --db is empty: name a database, or leave --db out for the default\n"
        )
    assert snapshot(db) == before and not data.exists()
