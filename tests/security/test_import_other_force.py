"""A police officer cannot open cases or record arrests for another force through `import`.

`case open -f force=WMP` by a Met officer is refused ("a MPS officer opens cases for MPS
only"), and on PostgreSQL the event guard refuses such events; but on SQLite `import` checked
no force: a Met officer's feed opened West Midlands cases with arrests in West Midlands, which
the officer then could not even see, and which entered WMP's worklist and reports.  On
PostgreSQL the guard's refusal reached the CLI as "cannot read the database".  The service now
asks the check `case open` makes, logged as every refusal is, before anything is written.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from casetracker.domain.errors import Refused
from casetracker.services.imports import import_file
from tests.cli.conftest import snapshot
from tests.security.test_postgres_forces import Force, _denied, forces  # noqa: F401

HEADER = (
    "person_ref,name,date_of_birth,nationality,nationality_group,force,custody_suite,"
    "arrested_at,offence,offence_category,immigration_arrest,referral_route,referred_at,"
    "outcome,outcome_at\n"
)
ROW = (
    "A-1,Ann Example,,,non_eea,{force},Croydon,2015-07-01T14:15,shoplifting,theft,,ccu,"
    "2015-07-01T15:05,released,2015-07-01T21:40\n"
)
OWN = ROW.replace("A-1,Ann", "B-2,Bea")  # another person, of the officer's own force


def _denials(db: str) -> list[dict]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT detail FROM access_log WHERE action = 'denied'").fetchall()
    return [json.loads(detail) for (detail,) in rows]


def test_a_met_officer_cannot_import_another_forces_arrests(run, db, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + OWN.format(force="MPS") + ROW.format(force="wmp"), encoding="utf-8")
    before = len(_denials(db))
    refused = run("--db", db, "--role", "police", "import", str(feed))
    assert refused.code == 1, refused.err
    assert refused.err.strip() == (
        "casetracker: line 3, column force: a MPS officer opens cases for MPS only"
    )
    listed = run("--db", db, "--role", "admin", "case", "history", "C-0000001")
    assert listed.code == 1  # nothing was written, not even the Met's own row
    denied = _denials(db)[before:]
    assert [d["attempted"] for d in denied] == ["open_case"]


def test_a_refused_import_writes_only_its_log_entry(run, db, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + ROW.format(force="WMP"), encoding="utf-8")
    run("--db", db, "--role", "police", "import", str(feed))  # the refusal's entry logged once
    before = snapshot(db)
    assert run("--db", db, "--role", "police", "import", str(feed)).code == 1
    assert len(_denials(db)) == 2
    assert snapshot(db) != before  # the second entry, and nothing else: no case
    assert run("--db", db, "--role", "admin", "case", "history", "C-0000001").code == 1


def test_a_met_officer_imports_the_mets_own(run, db, tmp_path):
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + ROW.format(force="MPS"), encoding="utf-8")
    imported = run("--db", db, "--role", "police", "import", str(feed))
    assert imported.code == 0, imported.err


@pytest.mark.postgres
def test_on_postgresql_the_refusal_is_the_services(forces, tmp_path):  # noqa: F811
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + ROW.format(force="WMP"), encoding="utf-8")
    with (
        closing(forces.service(forces.mps, "police")) as officer,
        pytest.raises(Refused, match="line 2, column force: a MPS officer opens cases"),
    ):
        import_file(officer, feed)
    assert _denied(forces, forces.mps) == [
        ("", "open_case", "a MPS officer opens cases for MPS only")
    ]
