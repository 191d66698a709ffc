"""Each deadline the domain has, derived from the events alone (issue 16, item 1).

Times are UTC.  January: UK local time is UTC, so the IO shifts of the shipped organisation
file (07:00-22:00 local, an assumption) read as written.
"""

from __future__ import annotations

from datetime import UTC, datetime

from casetracker.domain.case_view import Instance, Step
from casetracker.domain.deadlines import (
    ABSCONDER_REVIEW,
    ETD_CHASE,
    Deadline,
    outstanding,
    pending,
    to_do,
)
from casetracker.domain.effective_time import parse_canonical
from tests.unit.view_builder import RECORDED, ViewBuilder

ARREST = {
    "offence": "theft",
    "offence_category": "theft",
    "force": "WMP",
    "custody_suite": "Perry Barr",
}


def _kinds(builder: ViewBuilder) -> dict[str, Deadline]:
    return {d.kind: d for d in pending(builder.view, builder.org)}


def _arrested(builder: ViewBuilder, at: str = "2016-01-05T18:00:00Z") -> None:
    builder.act("encounter", "new", "arrest", ARREST, at)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def test_pace_expiry_and_the_point_to_ask_for_an_extension() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    found = _kinds(builder)
    assert found["pace_expiry"].due == at("2016-01-06T18:00:00Z")  # 24 hours (fn 17)
    assert found["pace_extension"].due == at("2016-01-06T16:00:00Z")  # two hours before
    assert found["pace_expiry"].item == "encounter#1"


def _extended(builder: ViewBuilder, effective: str) -> None:
    """A superintendent's extension of the first encounter's detention, at ``effective``."""
    builder.act(
        "encounter", 1, "extend_detention", {"superintendent_authority": "Supt A, ref 1"},
        effective,
    )  # fmt: skip


def test_an_extension_in_time_meets_the_ask_and_moves_the_expiry() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    _extended(builder, "2016-01-06T15:00:00Z")
    found = _kinds(builder)
    assert "pace_extension" not in found
    assert found["pace_expiry"].due == at("2016-01-07T06:00:00Z")  # 24 + 12 hours


def test_an_extension_asked_late_still_passed_the_ask_point() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    _extended(builder, "2016-01-06T17:00:00Z")
    assert _kinds(builder)["pace_extension"].due == at("2016-01-06T16:00:00Z")


def test_an_extension_asked_late_is_a_breach_on_record_but_no_longer_work_to_do() -> None:
    """The point to ask passed (a tick records it, for auditors and MI), but once the extension
    is recorded the worklist's next deadline for the arrest is the extended PACE expiry, not
    "extend PACE passed … ago" at the top of the queue."""
    from casetracker.adapters.worklist import rows_for

    builder = ViewBuilder()
    _arrested(builder)
    _extended(builder, "2016-01-06T17:00:00Z")
    late = _kinds(builder)["pace_extension"]
    assert late.met == at("2016-01-06T17:00:00Z")
    assert [d.kind for d in to_do(builder.view, builder.org)] == ["pace_expiry"]
    custody = {(r.queue, r.deadline, r.deadline_kind) for r in rows_for(builder.view)}
    assert custody == {("custody", "2016-01-07T06:00:00Z", "pace_expiry")}


def test_deadlines_nothing_has_discharged_are_work_to_do() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    assert [d.kind for d in to_do(builder.view, builder.org)] == ["pace_extension", "pace_expiry"]
    assert all(d.met is None for d in pending(builder.view, builder.org))


def test_a_release_before_expiry_meets_the_clock() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    builder.act("encounter", 1, "release_without_charge", effective="2016-01-06T10:00:00Z")
    assert _kinds(builder) == {}


def test_a_release_after_expiry_is_a_passed_deadline_caught_up_once() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    builder.act("encounter", 1, "release_without_charge", effective="2016-01-06T20:00:00Z")
    assert _kinds(builder)["pace_expiry"].due == at("2016-01-06T18:00:00Z")
    assert _kinds(builder)["pace_expiry"].met == at("2016-01-06T20:00:00Z")
    assert "pace_expiry" not in {d.kind for d in to_do(builder.view, builder.org)}


def test_bail_return_date() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    builder.act("encounter", 1, "bail", {"bail_until": "2016-02-01T10:00"}, "2016-01-06T09:00Z")
    found = _kinds(builder)
    assert found["bail_return"].due == at("2016-02-01T10:00:00Z")
    assert "pace_expiry" not in found  # bail pauses the clock
    builder.act("encounter", 1, "rearrest", effective="2016-02-01T09:00:00Z")
    assert "bail_return" not in _kinds(builder)


def test_first_reporting_date_and_absconder_review() -> None:
    builder = ViewBuilder()
    builder.act(
        "reporting", 0, "issue_reporting_directions", {"first_report_on": "2016-03-01"},
        "2016-02-01",
    )  # fmt: skip
    assert _kinds(builder)["first_report"].due == at("2016-03-02T00:00:00Z")  # end of the day
    builder.act("reporting", 0, "record_missed_reporting", effective="2016-03-01")
    found = _kinds(builder)
    assert "first_report" not in found  # the day was dealt with (missed, and recorded)
    assert found["absconder_review"].due == at("2016-03-01T00:00:00Z") + ABSCONDER_REVIEW
    builder.act("reporting", 0, "list_as_absconder", effective="2016-03-08")
    assert _kinds(builder) == {}


def test_etd_chase() -> None:
    builder = ViewBuilder()
    builder.act("etd", 0, "record_etd_needed", effective="2015-06-01")
    builder.act(
        "etd", 0, "apply_for_etd", {"high_commission": "Indian High Commission"}, "2015-06-26"
    )
    # a day starts at UK midnight: 23:00 UTC in June
    assert _kinds(builder)["etd_chase"].due == at("2015-06-25T23:00:00Z") + ETD_CHASE


def test_removal_directions_date() -> None:
    builder = ViewBuilder()  # liability needs a status record first: the step is placed as is
    fields = {"removal_date": "2016-06-26"}
    step = Step(
        1, "set_removal_directions", parse_canonical("2016-06-02"), fields, "casework", RECORDED
    )
    builder.view.instances["removal"] = Instance("removal", 0, "directions_set", fields, [step])
    assert _kinds(builder)["removal_date"].due == at("2016-06-26T23:00:00Z")  # BST midnight


def test_io_must_see_an_offender_before_the_last_shift_ends() -> None:
    """Arrested 18:00, PACE runs out 18:00 the next day, inside IO hours: the IO has until then;
    arrested 23:00, it runs out 23:00, after the 22:00 end of shift: until 22:00."""
    for arrested, due in (("2016-01-05T18:00:00Z", "2016-01-06T18:00:00Z"),
                          ("2016-01-05T23:00:00Z", "2016-01-06T22:00:00Z")):  # fmt: skip
        builder = ViewBuilder()
        _arrested(builder, arrested)
        assert "io_before_release" not in _kinds(builder)  # not (yet) an immigration offender
        check = Instance("status_check", 1, "immigration_offender", {"encounter": "1"})
        builder.view.instances[check.key] = check
        assert _kinds(builder)["io_before_release"].due == at(due)
        builder.act(
            "encounter", 1, "record_seen_by_io", role="immigration_officer", effective=arrested
        )
        assert "io_before_release" not in _kinds(builder)


def test_recorded_deadlines_stay_outstanding_but_not_pending() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    first = pending(builder.view, builder.org)[0]
    builder.act(
        "work", 0, "deadline_passed",
        {"deadline": first.key, "kind": first.kind, "item": first.item, "due": first.due_text},
        first.due_text, role="system",
    )  # fmt: skip
    assert first not in pending(builder.view, builder.org)
    assert first in outstanding(builder.view, builder.org)  # the worklist still sorts it first


def test_a_closed_case_has_no_deadlines() -> None:
    builder = ViewBuilder()
    builder.act("case", 0, "open_case", {"name": "A Person"}, "2016-01-01")
    _arrested(builder)
    builder.act("case", 0, "close_case", {"reason": "removed"}, "2016-01-05T19:00:00Z")
    assert pending(builder.view, builder.org) == []
