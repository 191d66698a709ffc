"""Fixtures for the scenario tests: the in-process CLI runner, and Figure 1 played once into a
training database that the read-only tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetracker import clock
from casetracker.sandbox import fresh_sandbox
from casetracker.scenario_runner import RunResult
from casetracker.scenario_runner import run as run_scenario
from casetracker.scenario_schema import load
from tests.cli.conftest import run  # noqa: F401  (the CLI fixture, shared)

SCENARIOS = Path(__file__).parents[2] / "casetracker" / "data" / "scenarios"


@pytest.fixture(scope="module")
def figure_1(tmp_path_factory) -> tuple[str, RunResult]:
    """Figure 1 in a training database (module-wide: tests here only read it, or fork it)."""
    url = fresh_sandbox(tmp_path_factory.mktemp("figure1"))
    try:
        return url, run_scenario(load("figure-1"), url)
    finally:
        clock.set_clock(None)


def db_path(url: str) -> str:
    return url.removeprefix("sqlite:///")
