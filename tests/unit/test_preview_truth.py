"""The "allowed now" preview tells the truth (issue 14, item 9).

A guard that waits for a form field still gives every reason that does not depend on that field:
an expired PACE clock refuses ``extend_detention`` before anyone types a superintendent's name.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from casetracker.domain.case_facts import Clock
from casetracker.domain.rules.custody_clock import pace_clock
from casetracker.presenters.text import clock_line
from tests.unit.view_builder import ViewBuilder

ARREST_FIELDS = {"offence": "synthetic", "offence_category": "theft", "force": "WYP"}


def _preview(builder: ViewBuilder, action: str, effective: str, role: str | None = None) -> list:
    attempt = builder._attempt("encounter", 1, action, {}, effective, role)
    return builder.flow.check(builder.view, dataclasses.replace(attempt, preview=True))


def test_preview_of_extension_on_an_expired_clock_says_it_has_expired() -> None:
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST_FIELDS, "2016-03-01T10:00:00Z")
    blocks = _preview(builder, "extend_detention", "2016-03-02T11:00:00Z")
    assert [b.reason for b in blocks] == ["the PACE clock has already expired"]


def test_preview_of_extension_in_time_waits_for_the_authority() -> None:
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST_FIELDS, "2016-03-01T10:00:00Z")
    assert _preview(builder, "extend_detention", "2016-03-02T06:00:00Z") == []


def test_preview_of_io_dva_check_gives_the_route_but_waits_for_the_doubt() -> None:
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST_FIELDS, "2016-03-01T10:00:00Z")
    builder.act(
        "encounter", 1, "record_nationality", {"nationality_group": "claimed_uk"},
        "2016-03-01T10:30:00Z",
    )  # fmt: skip
    attempt = builder._attempt(
        "dva_check", "new", "run_dva_check", {}, "2016-03-01T11:00:00Z", "immigration_officer"
    )
    blocks = builder.flow.check(builder.view, dataclasses.replace(attempt, preview=True))
    assert [b.rule for b in blocks] == ["dva_access"]  # the doubt is not judged before it is typed
    assert "immigration_officer has no direct DVA access" in blocks[0].reason
    assert "CCU" in blocks[0].remedy
    assert "police" not in blocks[0].remedy


def test_an_expired_clock_says_expired_and_when() -> None:
    builder = ViewBuilder()
    encounter = builder.act("encounter", "new", "arrest", ARREST_FIELDS, "2016-03-01T10:00:00Z")
    status = pace_clock(encounter, datetime(2016, 3, 2, 11, tzinfo=UTC))
    assert status.expired
    assert status.expired_at == datetime(2016, 3, 2, 10, tzinfo=UTC)
    line = clock_line(Clock("encounter #1", status))
    assert "EXPIRED" in line
    assert "left" not in line
    assert "2016-03-02 10:00" in line
    assert "EXPIRED" in Clock("encounter #1", status).describe()


def test_preview_of_a_cid_check_keeps_the_runners_reasons_while_it_waits_for_the_suite() -> None:
    """status_check_runner also reads an optional field (where CID was reached, ¶4.28): a
    preview that has not got it still says the check was referred to CCU."""
    builder = ViewBuilder()
    builder.act("encounter", "new", "arrest", ARREST_FIELDS, "2016-03-01T10:00:00Z")
    builder.act("status_check", "new", "refer_to_ccu", {"encounter": 1}, "2016-03-01T10:10:00Z")
    attempt = builder._attempt(
        "status_check", 1, "check_cid", {}, "2016-03-01T10:20:00Z", "immigration_officer"
    )
    blocks = builder.flow.check(builder.view, dataclasses.replace(attempt, preview=True))
    assert [b.reason for b in blocks] == ["this check was referred to CCU"]


def _lawful() -> ViewBuilder:
    """Leave running to 2018, and a status check on CID in 2016 (Issue 14 item 1's case)."""
    from tests.unit.test_rules_findings import with_leave_to

    return with_leave_to("2018-03-01")


def test_preview_of_an_offender_finding_on_a_lawful_person_says_why_before_the_kind() -> None:
    builder = _lawful()
    attempt = builder._attempt(
        "status_check", 1, "record_immigration_offender", {}, "2016-03-01", "ccu"
    )
    blocks = builder.flow.check(builder.view, dataclasses.replace(attempt, preview=True))
    assert [b.rule for b in blocks] == ["finding_agrees_with_status"]
    assert "leave is valid until 2018-03-01" in blocks[0].reason


def test_preview_of_removal_papers_on_a_lawful_person_says_why_before_the_basis() -> None:
    builder = _lawful()
    attempt = builder._attempt(
        "removal", 0, "serve_removal_papers", {}, "2016-03-01", "immigration_officer"
    )
    blocks = builder.flow.check(builder.view, dataclasses.replace(attempt, preview=True))
    assert [b.rule for b in blocks] == ["removal_basis_matches_status"]
    assert "leave is valid until 2018-03-01" in blocks[0].reason
