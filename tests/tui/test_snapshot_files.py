"""Every stored screen snapshot belongs to a screen test, and every screen test has one.

syrupy fails a run that leaves a snapshot unused, but not under pytest-xdist (the README's
test command runs on two workers): its workers do not merge their reports.  This test makes
the same check from the file names, so a snapshot left behind by a removed or renamed screen
fails the suite however it is run.
"""

from __future__ import annotations

from pathlib import Path

from tests.tui.test_snapshots import SCREENS, SIZES

STORED = Path(__file__).parent / "__snapshots__" / "test_snapshots"


def test_every_snapshot_file_is_a_screen_at_a_size_and_every_one_is_there():
    expected = {
        f"test_screen[{screen}-{width}x{height}].svg"
        for screen in SCREENS
        for width, height in SIZES
    }
    stored = {path.name for path in STORED.iterdir()}
    assert stored - expected == set(), "snapshots no screen test uses"
    assert expected - stored == set(), "screen tests without a stored snapshot"
