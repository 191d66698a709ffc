"""The bulk path's short cuts (synth at 20,000 events/s) give exactly what the general code gives.

Each test pins a fast form against the plain computation it replaced, on the awkward inputs
as well as the common ones.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from casetracker.adapters.mi_model import local_year, moment_text
from casetracker.adapters.organisation_file import configured
from casetracker.domain import clock
from casetracker.domain.effective_time import DEFAULT_ZONE
from casetracker.domain.errors import UsageError
from casetracker.domain.fields import coerce, validate_fields
from casetracker.domain.rules.io_coverage import io_coverage
from casetracker.domain.vocabulary import ActionSpec, FieldSpec, FieldType, Role
from casetracker.integrity import personal_digests
from casetracker.integrity.encoding import canonical_json
from casetracker.services import bulk
from casetracker.services.registry import workflow_engine
from casetracker.services.synthetic_arrests import CaseSteps, horizon_of
from casetracker.services.synthetic_plan import plan, profiles
from tests.unit.view_builder import ViewBuilder


def _prepared(people: int) -> list[bulk.PreparedCase]:
    now = clock.now()
    validator = bulk.BulkValidator(workflow_engine(), "demo", now)
    planned = plan(3, people, profiles(configured()))
    return [validator.prepare(CaseSteps(p, 3, 2015, horizon_of(now)).build()) for p in planned]


def test_packed_cases_unpack_equal() -> None:
    cases = _prepared(400)
    assert any(c.work for c in cases), "some cases should carry worklist rows"
    assert any(c.rows.high_harm for c in cases), "and some High Harm rows"
    again = bulk.unpack(bulk.pack(cases))
    assert again == cases
    assert all(type(e) is type(cases[0].events[0]) for c in again for e in c.events)


class _Text(str):
    """A str subclass: takes the general path, and must come out as plain text."""


TEXT = FieldSpec("note", FieldType.TEXT)
CHOICE = FieldSpec("group", FieldType.CHOICE, choices=("eea", "non_eea"))
ACTION = ActionSpec(
    "act", "Act", ("a",), "b", (Role.POLICE,),
    (TEXT, CHOICE, FieldSpec("count", FieldType.INTEGER, required=False)),
)  # fmt: skip


def _outcome(call: Callable[[], dict]) -> tuple[str, object]:
    try:
        return ("ok", call())
    except UsageError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        (TEXT, "plain"),
        (TEXT, "  padded  "),
        (TEXT, "Zoë, not ASCII "),
        (TEXT, "bad \udcff byte"),
        (TEXT, _Text(" sub ")),
        (TEXT, 42),
        (TEXT, ["a", "b"]),
        (CHOICE, "eea"),
        (CHOICE, " eea "),
        (CHOICE, "EEA"),
        (CHOICE, "nope"),
        (CHOICE, _Text("non_eea")),
        (CHOICE, "\udcff"),
    ],
)
def test_field_short_cuts_match_coerce(spec: FieldSpec, raw: object) -> None:
    given = {"note": "x", "group": "eea", spec.name: raw}
    expected = _outcome(lambda: {s.name: coerce(s, given[s.name]) for s in (TEXT, CHOICE)})
    got = _outcome(lambda: validate_fields(ACTION, given))
    assert got == expected
    if got[0] == "ok":
        assert all(type(v) is str for v in got[1].values())


def test_a_missing_field_is_reported_before_a_bad_value() -> None:
    with pytest.raises(UsageError, match=r"needs field 'note'"):
        validate_fields(ACTION, {"group": "eea", "count": "not a number"})
    with pytest.raises(UsageError, match=r"field 'count': "):
        validate_fields(ACTION, {"note": "x", "group": "eea", "count": "not a number"})
    with pytest.raises(UsageError, match=r"has no field 'zzz' \(its fields: note, group, count\)"):
        validate_fields(ACTION, {"zzz": 1, "note": "x"})


def test_digests_are_the_hmac_of_the_canonical_value() -> None:
    salt = "5a" * 32
    values = {
        "name": 'Zoë \u2028 "quoted" \\ back',
        "date_of_birth": "1970-01-01",
        "identifiers": ["SYN-0000001", "é"],
        "count": 3,
    }
    expected = {
        name: hmac.new(
            bytes.fromhex(salt), f"{name}\x1f{canonical_json(value)}".encode(), hashlib.sha256
        ).hexdigest()
        for name, value in values.items()
    }
    assert personal_digests.digests(salt, values) == expected
    assert {n: personal_digests.digest(salt, n, v) for n, v in values.items()} == expected


MOMENTS = [
    datetime(2015, 1, 1, 0, 0, 1, tzinfo=UTC),
    datetime(2014, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(2015, 6, 30, 23, 30, 5, 123456, tzinfo=UTC),
    datetime(2015, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-10))),
    datetime(2016, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=13))),
    datetime(2015, 2, 1, 0, 0, tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
    datetime(2015, 11, 30, 23, 59, tzinfo=timezone(timedelta(hours=23, minutes=59))),
    datetime(2015, 7, 1, 12, 0, tzinfo=DEFAULT_ZONE),
    datetime(2015, 12, 31, 23, 30),
    datetime(999, 3, 4, 5, 6, 7, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_moment_text_and_local_year_match_strftime_and_astimezone(moment: datetime) -> None:
    assert moment_text(moment) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert local_year(moment) == moment.astimezone(DEFAULT_ZONE).year


ARREST = {
    "offence": "theft",
    "offence_category": "theft",
    "force": "WMP",
    "custody_suite": "Perry Barr",
}


def test_io_coverage_reasons_are_given_in_full() -> None:
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST, "2016-01-05T18:00:00Z")
    assert io_coverage(builder.view.instances["encounter#1"], builder.org).reasons == (
        "not released from police custody",
    )
    released = builder.act(
        "encounter", 1, "release_without_charge", effective="2016-01-06T05:00:00Z"
    )
    assert io_coverage(released, builder.org).reasons == (
        "left police custody (released) 2016-01-06 05:00",
        "not seen by an IO before leaving police custody (¶4.21–4.22)",
        "the Home Office had not dealt with them",
        "outside IO hours at Perry Barr (¶4.22)",
    )
    other = ViewBuilder()
    other.act("encounter", "new", "arrest", {**ARREST, "custody_suite": "Elsewhere"}, "2016-01-05")
    other.act(
        "encounter", 1, "record_seen_by_io", role="immigration_officer", effective="2016-01-05"
    )
    bailed = other.act("encounter", 1, "take_no_further_action", effective="2016-01-06")
    assert io_coverage(bailed, other.org).reasons == (
        "left police custody (no further action) 2016-01-06",
        "seen by an IO first",
        "the Home Office had not dealt with them",
        "IO hours unknown: no configured suite or no exact release time",
    )
