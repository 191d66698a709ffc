"""Fixtures for the scenario tests: the in-process CLI runner, and Figure 1 played once into a
training database that the read-only tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetracker.domain import clock
from casetracker.services.training.player import RunResult
from casetracker.services.training.player import run as run_scenario
from casetracker.services.training.sandbox import fresh_sandbox
from casetracker.services.training.scenarios import load
from tests.cli.conftest import run  # noqa: F401  (the CLI fixture, shared)

SCENARIOS = Path(__file__).parents[2] / "casetracker/services/training/data/scenarios"


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
