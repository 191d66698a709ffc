"""``checkpoint --out`` and ``proof consistency --out`` from a careless hand: they had written
over any file named, the SQLite database itself included (no database left) or an older tree
head a later consistency proof needs, and a directory was an internal error."""

from __future__ import annotations

from tests.cli.conftest import snapshot


def test_a_checkpoint_over_the_database_file_is_refused(run, db):
    before = snapshot(db)
    refused = run("--db", db, "checkpoint", "--out", db)
    assert refused.code == 2, refused.err
    assert (
        refused.err == f"casetracker: {db} exists: a tree head or proof never overwrites a file\n"
    )
    assert snapshot(db) == before and run("--db", db, "--role", "auditor", "verify").code == 0


def test_an_older_tree_head_is_kept_and_a_directory_is_one_line(run, db, tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert run("--db", db, "checkpoint", "--out", str(old)).code == 0
    kept = old.read_bytes()
    assert run("--db", db, "checkpoint", "--out", str(old)).code == 2 and old.read_bytes() == kept
    assert run("--db", db, "checkpoint", "--out", str(new)).code == 0
    proof = run("--db", db, "proof", "consistency", str(old), str(new), "--out", str(new))
    assert proof.code == 2 and "never overwrites" in proof.err
    into = run("--db", db, "checkpoint", "--out", str(tmp_path))
    assert into.code == 2 and len(into.err.splitlines()) == 1, into.err
    assert "internal error" not in into.err
