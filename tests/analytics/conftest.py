"""A small synthetic year for the analytics tests, with one case whose dates are approximate
(a month and a range, as in the report's Figures 1 and 2)."""

from __future__ import annotations

import pytest

from casetracker.domain.identity import seeded_user
from casetracker.services.cases import Casetracker
from tests.cli.conftest import run  # noqa: F401 - the CLI fixture, shared
from tests.mi.conftest import Year, build


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Year:
    built = build(str(tmp_path_factory.mktemp("analytics") / "year.db"), 300, seed=7, workers=1)
    ct = Casetracker(built.url, as_user=seeded_user("police", "MPS"))
    try:  # Figure 1's first entry is dated "December 2010"; a range as Figure 2's attempts
        opened = ct.open_case({"name": "A Person", "nationality": "Freedonia"}, "2010-12")
        ct.act(opened.case_id, "add_note", {"text": "a note: Jane Doe"}, "2015-07-03/2015-10-05")
    finally:
        ct.close()
    return built
