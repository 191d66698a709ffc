"""Every stored screen snapshot belongs to a screen test, and every screen test has one.

syrupy fails a run that leaves a snapshot unused, but not under pytest-xdist (the README's
test command runs on two workers): its workers do not merge their reports.  This test makes
the same check from the file names, so a snapshot left behind by a removed or renamed screen
fails the suite however it is run.  syrupy keeps one folder per test module
(``__snapshots__/<module>/``), and each snapshot module here parametrizes ``test_screen`` by its
``SCREENS`` and ``SIZES``: every folder is checked against its module, and a folder whose
module is gone is itself left behind.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

HERE = Path(__file__).parent
STORED = HERE / "__snapshots__"


def snapshot_modules() -> set[str]:
    """The test modules here that compare screens with stored snapshots."""
    return {
        path.stem
        for path in HERE.glob("test_*.py")
        if path != Path(__file__) and "snap_compare" in path.read_text(encoding="utf-8")
    }


def expected_files(module: str) -> set[str]:
    """The snapshot file names a module's ``test_screen`` writes: each screen at each size."""
    found = importlib.import_module(f"tests.tui.{module}")
    return {
        f"test_screen[{screen}-{width}x{height}].svg"
        for screen in found.SCREENS
        for width, height in found.SIZES
    }


def mismatches(folder: Path, expected: set[str]) -> tuple[set[str], set[str]]:
    """Snapshots in ``folder`` no test writes, and expected ones not stored there."""
    stored = {path.name for path in folder.iterdir()} if folder.is_dir() else set()
    return stored - expected, expected - stored


def test_every_snapshot_folder_is_a_snapshot_test_module_and_every_one_has_a_folder():
    folders = {path.name for path in STORED.iterdir() if path.is_dir()}
    modules = snapshot_modules()
    assert modules, "no snapshot test module found: the check would pass on nothing"
    assert folders - modules == set(), "snapshot folders no test module writes"
    assert modules - folders == set(), "snapshot test modules without stored snapshots"


@pytest.mark.parametrize("module", sorted(snapshot_modules()))
def test_every_snapshot_file_is_a_screen_at_a_size_and_every_one_is_there(module):
    unused, missing = mismatches(STORED / module, expected_files(module))
    assert unused == set(), "snapshots no screen test uses"
    assert missing == set(), "screen tests without a stored snapshot"


def test_an_orphan_and_a_missing_snapshot_are_both_found(tmp_path):
    """The check itself: a copy of a real folder with one file renamed shows the renamed one
    as unused and the original as missing, and the intact copy shows neither."""
    module = "test_four_eyes_snapshots"
    expected = expected_files(module)
    for name in expected:
        (tmp_path / name).write_text("<svg/>", encoding="utf-8")
    assert mismatches(tmp_path, expected) == (set(), set())
    gone = sorted(expected)[0]
    (tmp_path / gone).rename(tmp_path / "test_screen[removed_screen-80x24].svg")
    assert mismatches(tmp_path, expected) == ({"test_screen[removed_screen-80x24].svg"}, {gone})
