"""The PACE clock (fn 17): 24 hours, one 12-hour extension, paused on bail, resumed on
re-arrest for the same offence, and honest about imprecise times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from casetracker.domain.case_view import Instance
from casetracker.domain.rules.custody_clock import pace_clock
from tests.unit.view_builder import ViewBuilder

ARREST = "2016-03-01T10:00:00Z"
ARRESTED = datetime(2016, 3, 1, 10, tzinfo=UTC)
ARREST_FIELDS = {"offence": "synthetic", "offence_category": "theft", "force": "WYP"}


def _arrest(builder: ViewBuilder, effective: str = ARREST) -> Instance:
    return builder.act("encounter", "new", "arrest", ARREST_FIELDS, effective)


def _at(hours: float) -> datetime:
    return ARRESTED + timedelta(hours=hours)


def test_runs_for_24_hours_from_arrest() -> None:
    encounter = _arrest(ViewBuilder())
    clock = pace_clock(encounter, _at(20))
    assert clock.deadline == _at(24)
    assert clock.remaining == timedelta(hours=4)
    assert clock.running
    assert not (clock.paused)
    assert not (clock.extended)
    assert not (clock.expired)
    assert not clock.approximate


def test_expires_at_24_hours() -> None:
    encounter = _arrest(ViewBuilder())
    clock = pace_clock(encounter, _at(24))
    assert clock.expired
    assert clock.remaining == timedelta(0)


def test_one_extension_of_12_hours_with_a_superintendents_authority() -> None:
    builder = ViewBuilder()
    _arrest(builder)
    blocks = builder.blocks(
        "encounter",
        1,
        "extend_detention",
        {"superintendent_authority": " "},
        "2016-03-02T06:00:00Z",
    )
    assert [b.reason for b in blocks] == ["no superintendent's authority recorded"]
    encounter = builder.act(
        "encounter",
        1,
        "extend_detention",
        {"superintendent_authority": "Supt. Example (synthetic)"},
        "2016-03-02T06:00:00Z",
    )
    clock = pace_clock(encounter, _at(30))
    assert clock.extended
    assert clock.deadline == _at(36)
    assert not clock.expired
    again = builder.blocks(
        "encounter",
        1,
        "extend_detention",
        {"superintendent_authority": "Supt. Example (synthetic)"},
        "2016-03-02T07:00:00Z",
    )
    assert [b.reason for b in again] == ["detention has already been extended once"]


def test_no_extension_after_the_clock_has_expired() -> None:
    builder = ViewBuilder()
    _arrest(builder)
    blocks = builder.blocks(
        "encounter",
        1,
        "extend_detention",
        {"superintendent_authority": "Supt. Example (synthetic)"},
        "2016-03-02T11:00:00Z",
    )
    assert [b.reason for b in blocks] == ["the PACE clock has already expired"]


def test_bail_pauses_and_rearrest_resumes() -> None:
    builder = ViewBuilder()
    _arrest(builder)
    builder.act("encounter", 1, "bail", effective="2016-03-01T20:00:00Z")
    paused = pace_clock(builder.view.instances["encounter#1"], _at(24 * 7))
    assert paused.paused
    assert not paused.running
    assert not paused.expired
    assert paused.deadline is None
    assert paused.remaining == timedelta(hours=14)
    encounter = builder.act("encounter", 1, "rearrest", effective="2016-03-08T09:00:00Z")
    resumed = pace_clock(encounter, datetime(2016, 3, 8, 10, tzinfo=UTC))
    assert resumed.running
    assert not resumed.paused
    assert resumed.deadline == datetime(2016, 3, 8, 23, tzinfo=UTC)
    assert resumed.remaining == timedelta(hours=13)


def test_charge_ends_the_clock() -> None:
    builder = ViewBuilder()
    _arrest(builder)
    encounter = builder.act("encounter", 1, "charge", effective="2016-03-01T16:00:00Z")
    clock = pace_clock(encounter, _at(100))
    assert not clock.running
    assert not clock.expired
    assert clock.deadline is None
    assert clock.remaining == timedelta(hours=18)


def test_an_arrest_known_only_to_the_day_is_approximate_and_never_late() -> None:
    builder = ViewBuilder()
    encounter = _arrest(builder, "2013-07-16")
    clock = pace_clock(encounter, datetime(2013, 7, 16, 12, tzinfo=UTC))
    assert clock.approximate
    assert clock.deadline == datetime(2013, 7, 16, 23, tzinfo=UTC)  # midnight BST + 24 h
    assert any("earliest" in note for note in clock.explanation)


def test_no_arrest_no_clock() -> None:
    clock = pace_clock(Instance("encounter", 1, "_new"), ARRESTED)
    assert not clock.running
    assert clock.explanation == ("no arrest recorded",)
