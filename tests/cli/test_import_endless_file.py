"""``import /dev/zero`` (or any stream that never ends, or a file past what memory holds): the
whole file had been read before its first field was looked at, so the 131,072-character field
limit never came and the command grew until memory ran out (3.8 GB in 15 s).  A feed is read to
at most ``FILE_LIMIT`` bytes (1 GiB), here lowered so the test reads little."""

from __future__ import annotations

from pathlib import Path

from casetracker.services import imports
from tests.cli.conftest import snapshot

FEED = Path(__file__).parents[2] / "docs" / "examples" / "arrests.csv"


def test_an_endless_feed_is_refused_once_the_limit_is_read(run, db, monkeypatch):
    monkeypatch.setattr(imports, "FILE_LIMIT", 1 << 20)
    before = snapshot(db)
    refused = run("--db", db, "--role", "police", "import", "/dev/zero")
    assert refused.code == 2, refused.err
    assert refused.err == f"casetracker: /dev/zero is over {1 << 20} bytes: split the feed\n"
    assert snapshot(db) == before


def test_a_feed_within_the_limit_is_imported(run, db, monkeypatch):
    monkeypatch.setattr(imports, "FILE_LIMIT", FEED.stat().st_size)
    done = run("--db", db, "--role", "police", "import", str(FEED))
    assert done.code == 0, done.err
