"""EEA nationals (fn 9): three months' initial right from entry, then Treaty rights."""

from __future__ import annotations

from datetime import date

import pytest

from casetracker.domain.rules.eea import add_months, assess, initial_right_ends
from tests.unit.view_builder import ViewBuilder

ENTRY = date(2016, 1, 1)


@pytest.mark.parametrize(
    ("on", "treaty_right", "status"),
    [
        (date(2016, 1, 1), None, "initial_right"),
        (date(2016, 3, 30), None, "initial_right"),  # day 90, counting the day of entry
        (date(2016, 3, 31), None, "initial_right"),  # last day of the three months
        (date(2016, 4, 1), None, "not_exercising"),  # after three months
        (date(2016, 4, 1), "worker", "qualified_person"),
        (date(2016, 9, 1), "jobseeker", "qualified_person"),
        (date(2016, 9, 1), "self_sufficient", "qualified_person"),
        (date(2016, 9, 1), "tourist", "not_exercising"),
    ],
)
def test_eea_table(on: date, treaty_right: str | None, status: str) -> None:
    found = assess(ENTRY, on, treaty_right)
    assert found.status == status
    assert "fn 9" in found.reasons[0]


def test_three_months_end_on_the_shorter_months_last_day() -> None:
    assert initial_right_ends(date(2015, 11, 30)) == date(2016, 2, 29)
    assert add_months(date(2015, 10, 31), 4) == date(2016, 2, 29)
    assert add_months(date(2015, 12, 15), 3) == date(2016, 3, 15)


def test_not_exercising_treaty_rights_is_refused_inside_the_initial_right() -> None:
    builder = ViewBuilder()
    builder.act("leave", 0, "record_eea_entry", {"entered_on": "2016-01-01"}, "2016-01-01")
    blocks = builder.blocks(
        "leave", 0, "record_not_exercising_treaty_rights", effective="2016-03-31"
    )
    assert [b.rule for b in blocks] == ["eea_initial_right_ended"]
    assert blocks[0].remedy == "wait until 2016-04-01"
    builder.act("leave", 0, "record_not_exercising_treaty_rights", effective="2016-04-01")
    assert builder.view.one("leave").state == "eea_not_exercising"
