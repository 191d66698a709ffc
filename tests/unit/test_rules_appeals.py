"""Appeals are a barrier to removal alongside claims (Figure 1's commentary: "claims or
appeals"): an undecided appeal stops removal directions and removal; the tribunal's decision
lifts the barrier (dismissed) or keeps it (allowed) until liability is decided afresh."""

from __future__ import annotations

from tests.unit.view_builder import ViewBuilder

IO = "immigration_officer"
DIRECTIONS = {"removal_date": "2016-06-26"}


def rules(blocks: list) -> list[str]:
    return [b.rule for b in blocks]


def liable() -> ViewBuilder:
    builder = ViewBuilder()
    leave = {"leave_type": "family_visitor", "valid_from": "2010-11-16", "valid_to": "2011-05-16"}
    builder.act("leave", 0, "record_leave", leave, "2010-12", IO)
    builder.act("leave", 0, "record_overstay", effective="2011-05-17", role=IO)
    builder.act("removal", 0, "serve_removal_papers", {"basis": "overstayer"}, "2013-07-23")
    return builder


def appeal(builder: ViewBuilder, day: str = "2013-08-01") -> int:
    fields = {"kind": "appeal", "against": "removal"}
    return builder.act("barrier", "new", "lodge_claim", fields, day).number


def test_an_undecided_appeal_blocks_directions() -> None:
    builder = liable()
    appeal(builder)
    blocks = builder.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2013-09-01")
    assert rules(blocks) == ["appeals_allow_removal"]
    assert blocks[0].reason == "appeal lodged 2013-08-01 is undecided"


def test_a_dismissed_appeal_lifts_the_barrier() -> None:
    builder = liable()
    number = appeal(builder)
    builder.act("barrier", number, "dismiss_appeal", effective="2013-08-20")
    assert builder.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2013-09-01") == []


def test_an_allowed_appeal_keeps_the_barrier_until_liability_is_decided_again() -> None:
    builder = liable()
    number = appeal(builder)
    builder.act("barrier", number, "allow_appeal", effective="2013-08-20")
    blocks = builder.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2013-09-01")
    assert rules(blocks) == ["appeals_allow_removal"]
    assert "allowed by the tribunal on 2013-08-20" in blocks[0].reason
    builder.act("removal", 0, "withdraw_removal_liability", effective="2013-08-21")
    builder.act("removal", 0, "serve_removal_papers", {"basis": "overstayer"}, "2014-01-10")
    assert builder.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2014-02-01") == []


def test_an_appeal_blocks_carrying_out_removal() -> None:
    builder = liable()
    builder.act("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-02")
    appeal(builder, "2016-06-10")
    assert "appeals_allow_removal" in rules(
        builder.blocks("removal", 0, "remove", effective="2016-06-26")
    )


def test_tribunal_decisions_are_for_appeals_and_claim_decisions_for_claims() -> None:
    builder = liable()
    number = appeal(builder)
    assert rules(builder.blocks("barrier", number, "refuse_claim")) == ["decision_fits_barrier"]
    claim = builder.act("barrier", "new", "lodge_claim", {"kind": "asylum"}, "2013-08-02").number
    assert rules(builder.blocks("barrier", claim, "dismiss_appeal")) == ["decision_fits_barrier"]
