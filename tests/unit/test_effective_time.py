"""Effective times keep the precision the record has, and the fewest entries are flagged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetracker.domain.effective_time import (
    DEFAULT_ZONE,
    EffectiveTimeError,
    _parse_single_or_range,
    out_of_sequence,
    parse,
    parse_canonical,
)

NOW = datetime(2016, 7, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "canonical", "precision"),
    [
        ("2013-07-16", "2013-07-16", "day"),
        ("2010-12", "2010-12", "month"),
        ("December 2010", "2010-12", "month"),
        ("Dec 2010", "2010-12", "month"),
        ("2015-07-03..2015-10-05", "2015-07-03/2015-10-05", "range"),
        ("2015-07-03/2015-10-05", "2015-07-03/2015-10-05", "range"),
        ("2016-06-24T09:30", "2016-06-24T08:30:00Z", "instant"),  # London summer time
        ("2016-01-24T09:30", "2016-01-24T09:30:00Z", "instant"),
        ("2016-06-24T09:30:00+02:00", "2016-06-24T07:30:00Z", "instant"),
        ("now", "2016-07-01T12:00:00Z", "instant"),
    ],
)
def test_forms_and_precision(typed, canonical, precision):
    value = parse(typed, NOW)
    assert (value.text, value.precision) == (canonical, precision)
    assert parse_canonical(value.text) == value
    # read back without what parse remembers (parse_canonical answers it from there)
    assert _parse_single_or_range(value.text, DEFAULT_ZONE, None) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2016-07-02", "in the future"),
        ("2016-08", "in the future"),
        ("2013-02-30", "not a real date"),
        ("2013-13", "does not exist"),
        ("yesterday", "cannot read"),
        ("2015-10-05..2015-07-03", "ends before it starts"),
        ("2016-06-01..2016-07-05", "ends in the future"),
        ("2016-06..2016-09", "ends in the future"),
        ("", "empty"),
    ],
)
def test_refusals(typed, message):
    with pytest.raises(EffectiveTimeError, match=message):
        parse(typed, NOW)


def test_today_and_this_month_are_not_the_future():
    assert parse("2016-07-01", NOW).precision == "day"
    assert parse("2016-07", NOW).precision == "month"
    assert parse("2016-06-01..2016-07-01", NOW).precision == "range"
    assert parse("2016-06-01..now", NOW).precision == "range"


def test_display_never_invents_precision():
    assert parse("2010-12", NOW).display() == "Dec 2010"
    assert parse("2015-07-03..2015-10-05", NOW).display() == "between 2015-07-03 and 2015-10-05"


def test_only_the_misplaced_entry_is_flagged():
    recorded = ["2014-04-15", "2014-05-01", "2016-05-11", "2014-05-22", "2014-06-19", "2015-11-06"]
    assert out_of_sequence([parse(t, NOW) for t in recorded]) == {2}


def test_a_late_run_is_flagged_not_the_entries_around_it():
    recorded = ["2014-01-01", "2014-02-01", "2013-01-01", "2013-02-01", "2014-03-01", "2014-04-01"]
    assert out_of_sequence([parse(t, NOW) for t in recorded]) == {2, 3}
    assert out_of_sequence([]) == set()


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30)))
def test_a_canonical_instant_reads_as_the_general_parse_reads_it(moment: datetime) -> None:
    text = moment.replace(microsecond=0).isoformat() + "Z"
    assert parse_canonical(text) == _parse_single_or_range(text, DEFAULT_ZONE, None)


@given(
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30)),
    st.integers(0, 19),
    st.sampled_from("0123456789-:TZ +.x\u0663"),
)
def test_text_that_only_looks_like_an_instant_takes_the_general_path(
    moment: datetime, where: int, char: str
) -> None:
    canonical = moment.replace(microsecond=0).isoformat() + "Z"
    text = canonical[:where] + char + canonical[where + 1 :]
    try:
        general = _parse_single_or_range(text, DEFAULT_ZONE, None)
    except ValueError:
        with pytest.raises(ValueError):
            parse_canonical(text)
        return
    assert parse_canonical(text) == general
