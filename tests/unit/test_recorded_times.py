"""Recorded times are UTC text of one width, whatever zone the clock's time is given in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from casetracker.domain.clock import format_recorded, parse_recorded


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 12, 5, 17, 30, tzinfo=UTC), "2026-12-05T17:30:00.000000Z"),
        (datetime(2026, 7, 1, 12, 0, 0, 5, tzinfo=ZoneInfo("Europe/London")),
         "2026-07-01T11:00:00.000005Z"),
        (datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=-5))),
         "2026-01-01T05:30:00.000000Z"),
        (datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("UTC")), "2026-03-01T09:00:00.000000Z"),
    ],
)  # fmt: skip
def test_a_recorded_time_is_utc_with_microseconds(moment, text):
    assert format_recorded(moment) == text
    assert len(text) == 27
    assert parse_recorded(text[:-1]).replace(tzinfo=UTC) == moment
