"""``casetracker --db FILE demo`` had built and opened the demo in its own file whatever --db
named, without a word: a user who meant the file named (or thought they were opening it) was
not told.  It is a usage error that says where the demo lives and how to open another
database; nothing is created."""

from __future__ import annotations


def test_demo_with_db_is_a_usage_error_that_creates_nothing(run, tmp_path):
    named = tmp_path / "mine.db"
    result = run("--db", str(named), "demo", "--no-ui")
    assert result.code == 2, (result.out, result.err)
    assert "demo uses its own database" in result.err and "internal error" not in result.err
    assert not named.exists()
