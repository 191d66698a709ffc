"""An offender finding, wherever it is recorded, agrees with the status record (DOMAIN.md "Read
closely"; fn 5, fn 9): leave still running or an EEA national's initial three months rule it out,
and so they rule out removal papers that rest on it."""

from __future__ import annotations

from tests.unit.view_builder import ViewBuilder

IO, CCU = "immigration_officer", "ccu"


def rules(blocks: list) -> list[str]:
    return [b.rule for b in blocks]


def checked(builder: ViewBuilder, day: str) -> ViewBuilder:
    """An MPS arrest referred to CCU and checked on CID on ``day``."""
    fields = {"offence": "theft", "offence_category": "theft", "force": "MPS"}
    builder.act("encounter", "new", "arrest", fields, day)
    builder.act("status_check", "new", "refer_to_ccu", {"encounter": 1}, day)
    builder.act("status_check", 1, "check_cid", effective=day, role=CCU)
    return builder


def with_leave_to(valid_to: str) -> ViewBuilder:
    builder = ViewBuilder()
    fields = {"leave_type": "student", "valid_from": "2015-09-01", "valid_to": valid_to}
    builder.act("leave", 0, "record_leave", fields, "2015-09-01", IO)
    return checked(builder, "2016-03-01")


def test_leave_two_more_years_refuses_an_overstayer_finding() -> None:
    builder = with_leave_to("2018-03-01")
    finding = {"offender_kind": "overstayer"}
    blocks = builder.blocks(
        "status_check", 1, "record_immigration_offender", finding, "2016-03-01", CCU
    )
    assert rules(blocks) == ["finding_agrees_with_status"]
    assert "leave is valid until 2018-03-01" in blocks[0].reason


def test_leave_two_more_years_refuses_removal_papers() -> None:
    builder = with_leave_to("2018-03-01")
    blocks = builder.blocks(
        "removal", 0, "serve_removal_papers", {"basis": "overstayer"}, "2016-03-02", IO
    )
    assert rules(blocks) == ["removal_basis_matches_status"]
    assert "leave is valid until 2018-03-01" in blocks[0].reason


def test_papers_refused_even_where_an_earlier_check_recorded_the_finding() -> None:
    """A finding made before leave was granted does not outlive the grant."""
    builder = checked(ViewBuilder(), "2016-03-01")
    builder.act(
        "status_check",
        1,
        "record_immigration_offender",
        {"offender_kind": "overstayer"},
        "2016-03-01",
        CCU,
    )
    fields = {
        "leave_type": "spouse_or_family",
        "valid_from": "2016-04-01",
        "valid_to": "2018-04-01",
    }
    builder.act("leave", 0, "record_leave", fields, "2016-04-01", IO)
    blocks = builder.blocks(
        "removal", 0, "serve_removal_papers", {"basis": "overstayer"}, "2016-05-01", IO
    )
    assert rules(blocks) == ["removal_basis_matches_status"]


def test_expired_leave_allows_the_finding_and_the_papers() -> None:
    builder = with_leave_to("2016-01-31")
    finding = {"offender_kind": "overstayer"}
    builder.act("status_check", 1, "record_immigration_offender", finding, "2016-03-01", CCU)
    assert (
        builder.blocks(
            "removal", 0, "serve_removal_papers", {"basis": "overstayer"}, "2016-03-02", IO
        )
        == []
    )


def test_no_status_record_leaves_the_finding_to_the_check() -> None:
    """With nothing recorded on status, CID's answer is the only record (Figure 2)."""
    builder = checked(ViewBuilder(), "2016-03-01")
    finding = {"offender_kind": "illegal_entrant"}
    assert (
        builder.blocks("status_check", 1, "record_immigration_offender", finding, "2016-03-01", CCU)
        == []
    )


def eea_entered(day: str) -> ViewBuilder:
    builder = ViewBuilder()
    builder.act("leave", 0, "record_eea_entry", {"entered_on": day}, day, IO)
    return builder


def test_eea_one_month_after_entry_refused_on_the_check_as_on_the_record() -> None:
    builder = checked(eea_entered("2016-02-01"), "2016-03-01")
    on_record = builder.blocks(
        "leave", 0, "record_not_exercising_treaty_rights", effective="2016-03-01", role=IO
    )
    finding = {"offender_kind": "eea_not_exercising_treaty_rights"}
    on_check = builder.blocks(
        "status_check", 1, "record_immigration_offender", finding, "2016-03-01", CCU
    )
    assert rules(on_record) == ["eea_initial_right_ended"]
    assert rules(on_check) == ["finding_agrees_with_status"]
    assert on_check[0].reason == on_record[0].reason
    papers = builder.blocks(
        "removal",
        0,
        "serve_removal_papers",
        {"basis": "eea_not_exercising_treaty_rights"},
        "2016-03-01",
        IO,
    )
    assert rules(papers) == ["removal_basis_matches_status"]


def test_eea_after_three_months_may_be_found_on_the_check() -> None:
    builder = checked(eea_entered("2015-10-01"), "2016-03-01")
    finding = {"offender_kind": "eea_not_exercising_treaty_rights"}
    assert (
        builder.blocks("status_check", 1, "record_immigration_offender", finding, "2016-03-01", CCU)
        == []
    )


def test_a_verified_british_citizen_is_no_offender_of_any_kind() -> None:
    builder = ViewBuilder()
    builder.act("leave", 0, "record_british_claim", effective="2016-01-01", role=IO)
    builder.act(
        "leave", 0, "verify_british_citizenship", {"evidence": "documents"}, "2016-01-02", IO
    )
    checked(builder, "2016-03-01")
    for kind in ("overstayer", "illegal_entrant", "eea_not_exercising_treaty_rights"):
        blocks = builder.blocks(
            "status_check",
            1,
            "record_immigration_offender",
            {"offender_kind": kind},
            "2016-03-01",
            CCU,
        )
        assert rules(blocks) == ["finding_agrees_with_status"], kind
        assert "British citizen" in blocks[0].reason
