"""``import`` given a path that is not a readable file (a directory, as a tab completion leaves
it): the feed is refused in one line, exit 2, nothing written; it had been an internal error
(``IsADirectoryError``), where ``verify --bundle`` and ``--checkpoint`` already said so."""

from __future__ import annotations

from tests.cli.conftest import snapshot


def test_importing_a_directory_is_a_usage_error(run, db, tmp_path):
    before = snapshot(db)
    refused = run("--db", db, "--role", "police", "import", str(tmp_path))
    assert refused.code == 2, refused.err
    assert refused.err == f"casetracker: cannot read {tmp_path}: Is a directory\n"
    assert snapshot(db) == before
