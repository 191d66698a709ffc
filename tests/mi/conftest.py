"""A synthetic year shared by the MI tests, built once through the real bulk service path.

``CASETRACKER_MI_ARRESTS`` sizes it (default 20,000; 190,000 reproduces the report's scale).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year
from tests.cli.conftest import db, run  # noqa: F401 - the CLI fixtures, shared
from tests.conftest import built_once

ARRESTS = int(os.environ.get("CASETRACKER_MI_ARRESTS", "20000"))
SEED = 2015


@dataclass
class Year:
    path: str
    url: str
    arrests: int
    people: int
    events: int


def build(path: str, arrests: int, seed: int = SEED, workers: int = 2) -> Year:
    url = f"sqlite:///{path}"
    create_database(url, "demo")
    ct = Casetracker(url, as_user="admin.demo")
    try:
        people, result = generate_year(ct, seed=seed, year=2015, arrests=arrests, workers=workers)
    finally:
        ct.close()
    return Year(path, url, arrests, people, result.events)


@pytest.fixture(scope="session")
def year_2015(tmp_path_factory) -> Year:
    """The shared year, generated once per run (``built_once``: once for all xdist workers)."""

    def generate(path: Path) -> dict[str, int]:
        year = build(str(path), ARRESTS)
        return {"people": year.people, "events": year.events}

    path, counts = built_once(tmp_path_factory, f"year-{ARRESTS}", generate)
    return Year(str(path), f"sqlite:///{path}", ARRESTS, counts["people"], counts["events"])


@pytest.fixture
def service(year_2015) -> Iterator[Casetracker]:
    ct = Casetracker(year_2015.url, as_user="audit.demo")
    yield ct
    ct.close()
