"""The report tables and queries give the same answers on PostgreSQL as on SQLite, for the same
seed (synth is deterministic), and the generated log verifies on both."""

from __future__ import annotations

import pytest

from casetracker.services import reports as mi_reports
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year

ARRESTS = 400


def _reports(url: str) -> dict:
    create_database(url, "demo")
    ct = Casetracker(url, as_user="admin.demo")
    try:
        generate_year(ct, seed=11, year=2015, arrests=ARRESTS, workers=1)
        assert ct.verify().ok
        with ct.engine.connect() as conn:
            tables = {
                "calls": mi_reports.referrals(conn, 2015, "calls"),
                "people": mi_reports.referrals(conn, 2015, "people"),
                "releases": mi_reports.releases(conn, 2015),
                "durations": mi_reports.durations(conn, 2015),
                "high_harm": mi_reports.high_harm(conn),
            }
        return {name: (t.columns, t.rows) for name, t in tables.items()}
    finally:
        ct.close()


@pytest.mark.postgres
def test_reports_agree_across_backends(pg_url, sqlite_url):
    on_pg, on_sqlite = _reports(pg_url), _reports(sqlite_url)
    for name in on_sqlite:
        assert on_pg[name] == on_sqlite[name], name
    assert on_sqlite["calls"][1], "the report has rows"
