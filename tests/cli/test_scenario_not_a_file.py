"""``scenario check`` and ``play`` given a scenario path that is a directory (``my-flow.yaml/``,
a folder of flows named like one): refused in one line, exit 2, as a missing file is; it had
been an internal error (``IsADirectoryError``) and ``play`` had written nothing either way."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("command", [["check"], ["play", "--auto"]])
def test_a_scenario_path_that_is_a_directory_is_a_usage_error(run, tmp_path, command):
    folder = tmp_path / "flows.yaml"
    folder.mkdir()
    training = tmp_path / "training.db"
    refused = run("--db", str(training), "scenario", command[0], str(folder), *command[1:])
    assert refused.code == 2, (refused.out, refused.err)
    assert refused.err == f"casetracker: cannot read {folder}: Is a directory\n"
    assert not training.exists()
