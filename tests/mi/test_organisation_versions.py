"""The organisation file is versioned in the log, and a past measure is recomputed under the
configuration in force then (issue 14 item 3; docs/organisation.md, "Versions of the file").

Perry Barr's IOs work 07:00-22:00 in the shipped file.  An offender released at 21:00 in 2016
left inside IO hours; the file is then changed to 07:00-19:00 from 2017, and the same release
hour in 2017 is outside them, while the 2016 figures, re-run, stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from casetracker import paths
from casetracker.adapters import organisation_log
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.adapters.organisation_file import configured
from casetracker.domain.errors import NotPermitted, UsageError
from casetracker.services import registry
from casetracker.services.cases import Casetracker
from casetracker.services.reports import read_report, releases
from casetracker.services.setup import create_database
from tests.helpers import police_of

ROLES = ("admin", "police", "ccu", "auditor")
ARREST = {
    "offence": "theft",
    "offence_category": "theft",
    "force": "WMP",
    "custody_suite": "Perry Barr",
}


@pytest.fixture
def org_file(tmp_path, monkeypatch) -> Iterator[Path]:
    """An organisation file of our own, in use (the process's cached reading is refreshed)."""
    own = tmp_path / "organisation.toml"
    own.write_bytes(paths.shipped_organisation_file().read_bytes())
    monkeypatch.setenv(paths.ENV_ORGANISATION, str(own))
    _reload()
    yield own
    monkeypatch.delenv(paths.ENV_ORGANISATION)
    _reload()


def _reload() -> None:
    configured.cache_clear()
    registry.workflow_engine.cache_clear()


def _as(url: str, role: str) -> Casetracker:
    return Casetracker(url, role=role)


def _released_offender(url: str, day: str) -> None:
    """Arrested at Perry Barr at 18:00, found an overstayer, released at 21:00 (local time),
    never seen by an IO."""
    with closing(_as(url, "police")) as police:
        case_id = police.open_case({"name": "Version Person (synthetic)", "force": "WMP"}).case_id
        police.act(case_id, "arrest", ARREST, f"{day}T18:00")
        police.act(case_id, "refer_to_ccu", {"encounter": 1}, f"{day}T18:10")
    with closing(_as(url, "ccu")) as ccu:
        ccu.act(case_id, "check_cid", {}, f"{day}T18:20", instance=1)
        ccu.act(
            case_id, "record_immigration_offender", {"offender_kind": "overstayer"},
            f"{day}T18:30", instance=1,
        )  # fmt: skip
    with closing(_as(url, "police")) as police:
        police.act(case_id, "release_without_charge", {}, f"{day}T21:00", instance=1)


def _in_and_out(url: str, year: int, by: str = "suite") -> tuple[int, int]:
    with closing(_as(url, "auditor")) as auditor:
        table = read_report(auditor, releases, year=year, by=by)
    total = table.as_dict()["rows"][-1]
    return total["before_io_in_hours"], total["before_io_out_of_hours"]


def _shift_rows(url: str, year: int) -> set[str]:
    with closing(_as(url, "auditor")) as auditor:
        table = read_report(auditor, releases, year=year, by="shifts")
    return {row["io_shifts"] for row in table.as_dict()["rows"][:-1]}


def test_a_past_report_follows_the_configuration_in_force_then(tmp_path, org_file) -> None:
    url = f"sqlite:///{tmp_path / 'versions.db'}"
    create_database(url, "live", ROLES)  # the admin at init records the file in use
    police_of(url, "WMP")
    _released_offender(url, "2016-03-01")
    _released_offender(url, "2017-03-01")
    assert _in_and_out(url, 2016) == (1, 0) and _in_and_out(url, 2017) == (1, 0)

    org_file.write_text(
        org_file.read_text().replace(
            'name = "Perry Barr"\nmodel = "rota"\nio_shifts = ["07:00-22:00"]',
            'name = "Perry Barr"\nmodel = "rota"\nio_shifts = ["07:00-19:00"]',
        )
    )
    _reload()
    assert configured().force("WMP").suite("Perry Barr").shift_pattern == "07:00-19:00"
    # Changed but not recorded: the measure still follows the recorded version, and says so.
    with closing(_as(url, "auditor")) as auditor:
        notes = read_report(auditor, releases, year=2017).notes
    assert any("not the one recorded last" in n for n in notes)
    assert _in_and_out(url, 2017) == (1, 0)

    with closing(_as(url, "admin")) as admin:
        done = admin.record_organisation("2017-01-01")
        assert done.position == 2
        again = admin.record_organisation()  # one version per change of digest
        assert again.position == 0
        history = admin.organisation_history()
    assert [v.organisation.digest for v in history.versions] == [
        history.versions[0].organisation.digest,
        configured().digest,
    ]
    assert _in_and_out(url, 2016) == (1, 0)  # the old period: the old shifts
    assert _in_and_out(url, 2017) == (0, 1)  # the new one: 21:00 is after 19:00
    assert _shift_rows(url, 2016) == {"07:00-22:00"}
    assert _shift_rows(url, 2017) == {"07:00-19:00"}


def test_only_an_admin_records_a_version_and_a_bad_date_changes_nothing(tmp_path, org_file) -> None:
    url = f"sqlite:///{tmp_path / 'versions.db'}"
    create_database(url, "live", ROLES)
    police_of(url, "WMP")
    org_file.write_text(org_file.read_text().replace('"07:00-22:00"', '"08:00-20:00"'))
    _reload()
    with closing(_as(url, "police")) as police, pytest.raises(NotPermitted, match="admin"):
        police.record_organisation()
    with closing(_as(url, "admin")) as admin, pytest.raises(UsageError, match="--effective"):
        admin.record_organisation("the day after tomorrow")
    with closing(_as(url, "admin")) as admin:
        assert len(admin.organisation_history().versions) == 1


def test_a_rewritten_version_is_found_by_verify(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'versions.db'}"
    create_database(url, "live", ROLES)
    with closing(_as(url, "admin")) as admin:
        assert admin.verify().problems == []
        engine = admin.engine
        with write_transaction(engine) as conn:  # what only someone past the triggers could do
            conn.exec_driver_sql("DROP TRIGGER organisation_versions_no_update")
            conn.exec_driver_sql(
                "UPDATE organisation_versions SET content = replace(content, '07:00-22:00', "
                "'00:00-23:59')"
            )
        problems = admin.verify().problems
    assert any("organisation version 1" in str(p) and "changed" in str(p) for p in problems)
    with read_transaction(engine) as conn:
        assert organisation_log.history(conn).versions


def test_the_recorded_content_rebuilds_the_same_configuration() -> None:
    org = configured()
    from casetracker.domain.organisation_file import from_content

    again = from_content(org.content, "recorded", org.digest)
    assert {f.code: f for f in again.forces} == {f.code: f for f in org.forces}
    assert again.dva_access == org.dva_access and again.digest == org.digest


def test_the_command_line_records_and_lists_versions(db, run, org_file) -> None:
    listed = run("--db", db, "organisation", "history", "--json")
    assert listed.code == 0, listed.err
    (first,) = listed.json["versions"]
    assert first["in_force_from"].startswith("0001-01-01")  # the file the database began with
    same = run("--db", db, "--role", "admin", "organisation", "record")
    assert same.code == 0 and "already the version recorded" in same.out
    org_file.write_text(org_file.read_text().replace('"07:00-22:00"', '"08:00-20:00"'))
    _reload()
    refused = run("--db", db, "--role", "police", "organisation", "record")
    assert refused.code == 1 and "admin" in refused.err and len(refused.err.splitlines()) == 1
    malformed = run("--db", db, "--role", "admin", "organisation", "record", "--effective", "soon")
    assert malformed.code == 2 and "--effective" in malformed.err
    assert len(run("--db", db, "organisation", "history", "--json").json["versions"]) == 1
    done = run("--db", db, "--role", "admin", "organisation", "record", "--effective", "2017-01")
    assert done.code == 0 and "recorded organisation version 2" in done.out, done.err
    versions = run("--db", db, "organisation", "history", "--json").json["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["in_force_from"].startswith("2017-01-01")
