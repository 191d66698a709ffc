"""Leaving police custody before an IO saw the person, built from ¶4.22's findings.

¶4.22: people mostly left before an IO saw them because they were charged and taken to court
early the next morning, before an IO came on shift, or released when holding them overnight was
not proportionate.  Figure 1's releases came after the Home Office had given reporting
directions: those are reported apart from the ones it had not dealt with.
"""

from __future__ import annotations

import pytest

from casetracker.domain.rules.io_coverage import io_coverage
from tests.unit.view_builder import ViewBuilder

ARREST = {
    "offence": "theft",
    "offence_category": "theft",
    "force": "MPS",
    "custody_suite": "Croydon",
}


def _arrested_at_night() -> ViewBuilder:
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST, "2016-03-05T23:10:00Z")
    return builder


@pytest.mark.parametrize("court", ["remand", "bail_to_court"])
def test_charged_and_taken_to_court_before_an_io_came_on_shift_counts(court: str) -> None:
    builder = _arrested_at_night()
    builder.act("encounter", 1, "charge", effective="2016-03-06T02:00:00Z")
    encounter = builder.act("encounter", 1, court, effective="2016-03-06T06:30:00Z")
    found = io_coverage(encounter, builder.org, builder.view)
    assert found.released and found.released_before_seen
    assert found.left_by == court
    assert found.in_io_hours is False
    assert not found.home_office_acted


def test_still_charged_in_police_custody_has_not_left() -> None:
    builder = _arrested_at_night()
    encounter = builder.act("encounter", 1, "charge", effective="2016-03-06T02:00:00Z")
    assert not io_coverage(encounter, builder.org, builder.view).released


def test_running_away_is_leaving_police_custody() -> None:
    builder = _arrested_at_night()
    encounter = builder.act("encounter", 1, "escape_custody", effective="2016-03-06T01:00:00Z")
    found = io_coverage(encounter, builder.org, builder.view)
    assert found.released_before_seen and found.left_by == "escape_custody"


def test_release_after_reporting_directions_is_dealt_with_by_the_home_office() -> None:
    """Figure 1, 22 May 2014: a CCU check, reporting directions, then release, all that day."""
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST, "2014-05-22")
    builder.act(
        "reporting", 0, "issue_reporting_directions", role="immigration_officer",
        effective="2014-05-22",
    )  # fmt: skip
    encounter = builder.act("encounter", 1, "release_without_charge", effective="2014-05-22")
    found = io_coverage(encounter, builder.org, builder.view)
    assert found.released_before_seen
    assert found.home_office_acted
    assert "the Home Office had dealt with them first (Figure 1)" in found.reasons


def test_directions_after_the_release_do_not_count_as_dealt_with() -> None:
    builder = _arrested_at_night()
    encounter = builder.act(
        "encounter", 1, "release_without_charge", effective="2016-03-06T05:30:00Z"
    )
    builder.act(
        "reporting", 0, "issue_reporting_directions", role="immigration_officer",
        effective="2016-03-08T10:00:00Z",
    )  # fmt: skip
    assert not io_coverage(encounter, builder.org, builder.view).home_office_acted


def test_seen_by_an_io_only_after_rearrest_was_not_seen_before_the_first_leaving() -> None:
    builder = _arrested_at_night()
    builder.act("encounter", 1, "bail", effective="2016-03-06T05:00:00Z")
    builder.act("encounter", 1, "rearrest", effective="2016-03-10T10:00:00Z")
    encounter = builder.act(
        "encounter", 1, "record_seen_by_io", role="immigration_officer",
        effective="2016-03-10T11:00:00Z",
    )  # fmt: skip
    found = io_coverage(encounter, builder.org, builder.view)
    assert found.left_by == "bail" and found.released_before_seen


def test_the_report_splits_dealt_with_from_not_and_groups_by_model_and_shifts(run, tmp_path):
    from tests.mi.conftest import build

    year = build(str(tmp_path / "small.db"), 600, seed=4, workers=1)
    by_suite = run("--db", year.path, "--as", "audit.demo", "report", "releases",
                   "--format", "json")  # fmt: skip
    assert by_suite.code == 0, by_suite.err
    total = by_suite.json["rows"][-1]
    assert total["force"] == "All" and total["before_io"] > 0
    assert total["before_io"] == (
        total["before_io_home_office_acted"] + total["before_io_not_dealt_with"]
    )
    for by, key in (("model", "suite_model"), ("shifts", "io_shifts")):
        grouped = run("--db", year.path, "--as", "audit.demo", "report", "releases",
                      "--by", by, "--format", "json")  # fmt: skip
        assert grouped.code == 0, grouped.err
        rows = grouped.json["rows"]
        assert rows[-1]["before_io"] == total["before_io"]
        assert {r[key] for r in rows[:-1]} <= {
            "hub",
            "rota",
            "07:00-22:00",
            "(no configured suite)",
        }
    bad = run("--db", year.path, "--as", "audit.demo", "report", "releases", "--by", "colour")
    assert bad.code == 2 and "--by" in bad.err
