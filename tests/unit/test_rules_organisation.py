"""Organisation facts: forces, suites, IO hours and data policies (¶4.13–4.28)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from casetracker.adapters.organisation_file import configured
from casetracker.domain.organisation import (
    AcroSharing,
    CustodyDbAccess,
    Shift,
    Suite,
    SuiteModel,
)


def test_defaults_cover_the_forces_of_england_and_wales() -> None:
    org = configured()
    codes = [f.code for f in org.forces]
    assert len(codes) == len(set(codes)) == 44  # 43 territorial forces and BTP
    assert {f.code for f in org.forces if f.in_london} == {"MPS", "COL"}


def test_the_three_inspected_forces() -> None:
    org = configured()
    mps, wmp, wyp = org.force("mps"), org.force("WMP"), org.force("WYP")
    assert mps.suite("croydon").model == SuiteModel.HUB
    assert not mps.policy.io_status_checks
    assert mps.policy.custody_db == CustodyDbAccess.VIA_NEXUS_OFFICER
    assert wmp.suite("Perry Barr").model == SuiteModel.ROTA
    assert not wmp.suite("Perry Barr").cid_access
    assert wmp.policy.custody_db == CustodyDbAccess.VIA_CUSTODY_SERGEANT
    assert wyp.suite("Normanton").model == SuiteModel.ROTA  # nine IOs on a rota (¶4.19)
    assert wyp.policy.acro_sharing == AcroSharing.ALL
    assert wyp.policy.custody_db == CustodyDbAccess.DIRECT
    assert org.force("ZZZ") is None
    assert mps.suite("Nowhere") is None


def test_io_hours_in_local_time() -> None:
    suite = configured().force("WMP").suite("Perry Barr")
    assert suite.in_io_hours(datetime(2016, 1, 5, 9, tzinfo=UTC))
    assert not suite.in_io_hours(datetime(2016, 1, 5, 23, tzinfo=UTC))
    # 06:30 UTC is 07:30 in London summer time
    assert suite.in_io_hours(datetime(2016, 7, 5, 6, 30, tzinfo=UTC))


def test_a_night_shift_runs_past_midnight() -> None:
    night = (Shift(time(7), time(19)), Shift(time(19), time(7)))
    croydon = Suite("Croydon", SuiteModel.HUB, night, cid_access=True)
    assert croydon.in_io_hours(datetime(2016, 1, 5, 2, tzinfo=UTC))
    assert croydon.in_io_hours(datetime(2016, 1, 5, 12, tzinfo=UTC))
