"""Released before an IO saw them, in and out of IO hours (¶4.21–4.23)."""

from __future__ import annotations

from casetracker.domain.rules.io_coverage import io_coverage
from tests.unit.view_builder import ViewBuilder

ARREST = {
    "offence": "theft",
    "offence_category": "theft",
    "force": "WMP",
    "custody_suite": "Perry Barr",
}


def _arrested(builder: ViewBuilder, fields: dict = ARREST) -> None:
    builder.act("encounter", "new", "arrest", fields, "2016-01-05T18:00:00Z")


def test_released_out_of_hours_before_an_io_saw_them() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    encounter = builder.act(
        "encounter", 1, "release_without_charge", effective="2016-01-06T05:00:00Z"
    )
    found = io_coverage(encounter, builder.org)
    assert found.released_before_seen
    assert found.in_io_hours is False
    assert "outside IO hours at Perry Barr (¶4.22)" in found.reasons


def test_seen_then_released_in_hours() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    builder.act(
        "encounter",
        1,
        "record_seen_by_io",
        role="immigration_officer",
        effective="2016-01-05T19:00:00Z",
    )
    encounter = builder.act(
        "encounter", 1, "release_without_charge", effective="2016-01-05T20:00:00Z"
    )
    found = io_coverage(encounter, builder.org)
    assert not found.released_before_seen
    assert found.in_io_hours is True


def test_still_in_custody_or_unknown_hours() -> None:
    builder = ViewBuilder()
    _arrested(builder, {**ARREST, "custody_suite": "Somewhere else"})
    assert not io_coverage(builder.view.instances["encounter#1"], builder.org).released
    encounter = builder.act("encounter", 1, "take_no_further_action", effective="2016-01-06")
    found = io_coverage(encounter, builder.org)
    assert found.released_before_seen
    assert found.in_io_hours is None
