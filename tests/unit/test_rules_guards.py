"""Guards on hand-built cases: every cross-lifecycle rule of DOMAIN.md, with its reasons."""

from __future__ import annotations

from dataclasses import replace

import pytest

from casetracker.adapters.organisation_file import configured
from casetracker.domain.organisation import Organisation
from casetracker.domain.rules.absconder import absconder_listings, is_listed_absconder
from casetracker.domain.rules.guards import GUARDS
from tests.unit.view_builder import ViewBuilder

IO = "immigration_officer"
DIRECTIONS = {"removal_date": "2016-06-26"}


def rules(blocks: list) -> list[str]:
    return [b.rule for b in blocks]


@pytest.fixture
def liable() -> ViewBuilder:
    """An overstayer served with removal papers (Figure 1 up to 23 Jul 2013)."""
    builder = ViewBuilder()
    builder.act(
        "leave",
        0,
        "record_leave",
        {"leave_type": "family_visitor", "valid_from": "2010-11-16", "valid_to": "2011-05-16"},
        "2010-12",
        IO,
    )
    builder.act("leave", 0, "record_overstay", effective="2011-05-17", role=IO)
    builder.act("removal", 0, "serve_removal_papers", {"basis": "overstayer"}, "2013-07-23")
    return builder


def lodge(builder: ViewBuilder, kind: str, day: str) -> int:
    return builder.act("barrier", "new", "lodge_claim", {"kind": kind}, day).number


def test_every_guard_returns_blocks_with_its_own_rule_name(liable: ViewBuilder) -> None:
    assert all(callable(g) for g in GUARDS.values())
    blocks = liable.blocks("removal", 0, "remove", effective="2016-06-26")
    assert blocks
    assert all(b.rule for b in blocks)


# -------------------------------------------------------------------- leave


def test_overstay_follows_the_end_date() -> None:
    builder = ViewBuilder()
    builder.act(
        "leave",
        0,
        "record_leave",
        {"leave_type": "student", "valid_to": "2012-04-11"},
        "2011-11-08",
    )
    blocks = builder.blocks("leave", 0, "record_overstay", effective="2012-04-11")
    assert rules(blocks) == ["leave_expired"]
    assert blocks[0].remedy == "record the overstay as from 2012-04-12"
    month = builder.blocks("leave", 0, "record_overstay", effective="2012-04")
    assert rules(month) == ["leave_expired"], "April 2012 may be before the end date"
    assert builder.blocks("leave", 0, "record_overstay", effective="2012-04-12") == []


def test_leave_dates_must_be_in_order() -> None:
    blocks = ViewBuilder().blocks(
        "leave",
        0,
        "record_leave",
        {"leave_type": "visitor", "valid_from": "2011-05-16", "valid_to": "2010-11-16"},
    )
    assert rules(blocks) == ["leave_dates_consistent"]


def test_leave_on_a_claim_needs_a_granted_claim(liable: ViewBuilder) -> None:
    fields = {"leave_type": "asylum_or_protection"}
    assert rules(liable.blocks("leave", 0, "grant_leave_on_claim", fields, role=IO)) == [
        "claim_granted"
    ]
    liable.act(
        "barrier", lodge(liable, "asylum", "2016-01-02"), "grant_claim", effective="2016-02-01"
    )
    assert liable.blocks("leave", 0, "grant_leave_on_claim", fields, role=IO) == []


# -------------------------------------------------------------------- removal


def test_papers_need_a_matching_immigration_status() -> None:
    builder = ViewBuilder()
    blocks = builder.blocks("removal", 0, "serve_removal_papers", {"basis": "overstayer"})
    assert rules(blocks) == ["removal_basis_matches_status"]
    assert "immigration status: unknown" in blocks[0].reason


def test_undecided_protection_claims_block_directions(liable: ViewBuilder) -> None:
    asylum = lodge(liable, "asylum", "2013-10-04")
    human_rights = lodge(liable, "human_rights", "2014-05-11")
    blocks = liable.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-02")
    assert rules(blocks) == ["no_pending_protection_claim"] * 2
    assert blocks[0].reason == "asylum claim lodged 2013-10-04 is undecided"
    assert blocks[0].remedy == "wait for the claim to be decided"
    liable.act("barrier", asylum, "refuse_claim", effective="2014-04-15")
    liable.act("barrier", human_rights, "refuse_claim", effective="2016-05-26")
    assert liable.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-02") == []


def test_a_pre_action_letter_does_not_block_directions(liable: ViewBuilder) -> None:
    lodge(liable, "pre_action_protocol", "2016-05-31")
    assert liable.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-02") == []


def test_directions_need_liability_but_not_a_travel_document() -> None:
    builder = ViewBuilder()
    assert rules(builder.blocks("removal", 0, "set_removal_directions", DIRECTIONS)) == ["state"]


def test_a_pending_judicial_review_blocks_new_directions(liable: ViewBuilder) -> None:
    lodge(liable, "judicial_review", "2016-06-24")
    blocks = liable.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-25")
    assert rules(blocks) == ["no_pending_judicial_review"]


def test_removal_date_cannot_be_before_the_directions(liable: ViewBuilder) -> None:
    blocks = liable.blocks("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-27")
    assert rules(blocks) == ["removal_date_not_past"]


def test_judicial_review_defers_directions_and_removal_explains_everything(
    liable: ViewBuilder,
) -> None:
    liable.act("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-02")
    assert rules(
        liable.blocks(
            "removal", 0, "defer_removal_directions", {"reason": "judicial_review"}, "2016-06-24"
        )
    ) == ["judicial_review_lodged"]
    lodge(liable, "judicial_review", "2016-06-24")
    blocks = liable.blocks("removal", 0, "remove", effective="2016-06-26")
    assert [str(b) for b in blocks] == [
        "no travel document (ETD: unassessed) — record a valid passport, or that an ETD is needed",
        "directions for 2016-06-26 deferred by judicial review lodged 2016-06-24 — "
        "wait for the judicial review to be decided",
    ]
    liable.act(
        "removal", 0, "defer_removal_directions", {"reason": "judicial_review"}, "2016-06-24"
    )
    assert liable.view.one("removal").state == "deferred"


def test_removal_needs_an_issued_etd_or_a_valid_passport(liable: ViewBuilder) -> None:
    liable.act("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-02")
    liable.act("etd", 0, "record_etd_needed", effective="2016-06-02")
    blocks = liable.blocks("removal", 0, "remove", effective="2016-06-26")
    assert [(b.rule, b.remedy) for b in blocks] == [
        (
            "travel_document_held",
            "apply for an ETD (interview the subject if the High Commission requires it)",
        )
    ]
    liable.act(
        "etd", 0, "apply_for_etd", {"high_commission": "Synthland (synthetic)"}, "2016-06-03"
    )
    liable.act("etd", 0, "record_etd_issued", {"etd_valid_to": "2016-06-20"}, "2016-06-10")
    expired = liable.blocks("removal", 0, "remove", effective="2016-06-26")
    assert [b.reason for b in expired] == ["the issued ETD expired on 2016-06-20"]


def test_removal_with_a_valid_passport_then_detention_ends() -> None:
    builder = ViewBuilder()
    builder.act("leave", 0, "record_illegal_entry")
    builder.act("removal", 0, "serve_removal_papers", {"basis": "illegal_entrant"})
    builder.act("removal", 0, "set_removal_directions", {"removal_date": "2016-02-01"})
    builder.act("etd", 0, "record_valid_passport", {"passport_valid_to": "2020-01-01"})
    assert rules(builder.blocks("detention", 0, "mark_removed")) == ["removal_completed"]
    builder.act("removal", 0, "remove", effective="2016-02-01")
    assert builder.blocks("detention", 0, "mark_removed") == []


def test_an_asylum_claim_lodged_after_directions_blocks_removal(liable: ViewBuilder) -> None:
    liable.act("removal", 0, "set_removal_directions", DIRECTIONS, "2016-06-02")
    liable.act("etd", 0, "record_valid_passport")
    lodge(liable, "asylum", "2016-06-20")
    assert rules(liable.blocks("removal", 0, "remove", effective="2016-06-26")) == [
        "no_pending_protection_claim"
    ]


def test_deportation_needs_a_hosol_referral() -> None:
    blocks = ViewBuilder().blocks("removal", 0, "make_deportation_decision", role="casework")
    assert rules(blocks) == ["deportation_grounds"]


# -------------------------------------------------------------------- reporting and ETD


def test_listing_follows_missed_reporting_and_a_new_arrest_is_recognised() -> None:
    builder = ViewBuilder()
    assert rules(builder.blocks("reporting", 0, "list_as_absconder")) == ["state"]
    builder.act("reporting", 0, "issue_reporting_directions", effective="2013-11-19")
    builder.act("reporting", 0, "record_missed_reporting", effective="2014-04-18")
    builder.act("reporting", 0, "list_as_absconder", effective="2014-05-01")
    assert is_listed_absconder(builder.view)
    blocks = builder.blocks("reporting", 0, "reencounter", effective="2014-05-22")
    assert blocks[0].reason == "no arrest recorded since the listing of 2014-05-01"
    builder.act(
        "encounter",
        "new",
        "arrest",
        {"offence": "fare evasion", "offence_category": "fare_evasion", "force": "MPS"},
        "2014-05-22",
    )
    builder.act("reporting", 0, "reencounter", effective="2014-05-22")
    assert is_listed_absconder(builder.view), "the listing stands until new directions"
    builder.act("reporting", 0, "issue_reporting_directions", effective="2014-05-22")
    assert not is_listed_absconder(builder.view)
    assert len(absconder_listings(builder.view)) == 1


def test_known_absconder_result_needs_a_listing() -> None:
    builder = ViewBuilder()
    builder.act(
        "encounter",
        "new",
        "arrest",
        {"offence": "theft", "offence_category": "theft", "force": "MPS"},
    )
    builder.act("status_check", "new", "refer_to_ccu", {"encounter": 1})
    builder.act("status_check", 1, "check_cid", role="ccu")
    blocks = builder.blocks("status_check", 1, "record_known_absconder", role="ccu")
    assert rules(blocks) == ["listed_absconder"]


def test_halting_an_etd_interview_for_a_claim_needs_that_claim() -> None:
    builder = ViewBuilder()
    builder.act("etd", 0, "record_etd_needed")
    halted = {"halted_by": "asylum_claim"}
    assert rules(builder.blocks("etd", 0, "halt_etd_interview", halted)) == ["halting_claim_lodged"]
    assert builder.blocks("etd", 0, "halt_etd_interview", {"halted_by": "other"}) == []
    lodge(builder, "asylum", "2013-10-04")
    assert builder.blocks("etd", 0, "halt_etd_interview", halted) == []


# -------------------------------------------------------------------- custody and referral


def test_arrest_needs_a_configured_force() -> None:
    fields = {"offence": "theft", "offence_category": "theft", "force": "XYZ"}
    blocks = ViewBuilder().blocks("encounter", "new", "arrest", fields)
    assert rules(blocks) == ["known_force"]


def test_police_custody_follows_an_arrest() -> None:
    builder = ViewBuilder()
    assert rules(builder.blocks("detention", 0, "enter_police_custody")) == ["arrest_in_progress"]


def test_referral_names_an_existing_encounter() -> None:
    blocks = ViewBuilder().blocks("status_check", "new", "refer_to_ccu", {"encounter": 3})
    assert [b.reason for b in blocks] == ["there is no encounter #3 on this case"]


def _referred(force: str, action: str) -> ViewBuilder:
    builder = ViewBuilder()
    builder.act(
        "encounter",
        "new",
        "arrest",
        {"offence": "theft", "offence_category": "theft", "force": force},
    )
    builder.act("status_check", "new", action, {"encounter": 1})
    return builder


@pytest.mark.parametrize(
    ("force", "referral", "role", "blocked"),
    [
        ("MPS", "refer_to_ccu", "ccu", []),
        ("MPS", "refer_to_local_io", IO, ["status_check_runner"]),  # London: all via CCU (¶4.7)
        ("WMP", "refer_to_local_io", IO, []),  # ¶4.10
        ("WYP", "refer_to_local_ice_office", IO, []),  # ¶4.11
        ("WYP", "refer_to_local_io", "ccu", ["status_check_runner"]),
        ("WMP", "refer_to_ccu", IO, ["status_check_runner"]),
    ],
)
def test_who_runs_the_status_check(force: str, referral: str, role: str, blocked: list) -> None:
    builder = _referred(force, referral)
    assert rules(builder.blocks("status_check", 1, "check_cid", role=role)) == blocked


def _referred_at(force: str, suite: str, org: Organisation | None = None) -> ViewBuilder:
    builder = ViewBuilder(org)
    fields = {"offence": "theft", "offence_category": "theft", "force": force}
    builder.act("encounter", "new", "arrest", {**fields, "custody_suite": suite})
    builder.act("status_check", "new", "refer_to_local_io", {"encounter": 1})
    return builder


@pytest.mark.parametrize(
    ("force", "suite", "reached", "blocked"),
    [
        ("WYP", "Normanton", "at_the_suite", []),  # two laptops (¶4.28)
        ("WMP", "Perry Barr", "at_the_suite", ["status_check_runner"]),  # no CID there (¶4.28)
        ("WMP", "Perry Barr", "ice_office", []),  # ¶4.28: they update CID at the ICE office
        ("WMP", "Perry Barr", "telephone", []),  # ... or telephone it
        ("WMP", "Perry Barr", None, []),  # not said: nothing to contradict
        ("WMP", "Some Unlisted Suite", "at_the_suite", []),  # a suite the file does not list
    ],
)
def test_cid_at_the_suite_is_read_from_the_organisation_file(
    force: str, suite: str, reached: str | None, blocked: list
) -> None:
    builder = _referred_at(force, suite)
    fields = {"cid_reached": reached} if reached else {}
    assert rules(builder.blocks("status_check", 1, "check_cid", fields, role=IO)) == blocked


def test_giving_a_suite_cid_in_the_file_lifts_the_block() -> None:
    """Perry Barr's managers hoped for IT (¶4.28): a change of file, not of code."""
    base = configured()
    wmp = base.force("WMP")
    assert wmp is not None
    suites = tuple(replace(s, cid_access=True) for s in wmp.suites)
    forces = tuple(replace(f, suites=suites) if f.code == "WMP" else f for f in base.forces)
    builder = _referred_at("WMP", "Perry Barr", replace(base, forces=forces))
    reached = {"cid_reached": "at_the_suite"}
    assert builder.blocks("status_check", 1, "check_cid", reached, role=IO) == []
    refused = _referred_at("WMP", "Perry Barr").blocks(
        "status_check", 1, "check_cid", reached, role=IO
    )
    assert "forces.WMP.suites" in refused[0].reason and "cid_access" in refused[0].reason


@pytest.mark.parametrize(
    ("force", "onward", "blocked"),
    [
        ("MPS", "refer_to_joc", []),
        ("MPS", "refer_to_ice_team", ["onward_referral_region"]),
        ("WMP", "refer_to_ice_team", []),
        ("WYP", "refer_to_joc", ["onward_referral_region"]),
        ("COL", "refer_to_joc", []),
    ],
)
def test_onward_referral_goes_to_the_joc_only_in_london(
    force: str, onward: str, blocked: list
) -> None:
    builder = _referred(force, "refer_to_ccu")
    builder.act("status_check", 1, "check_cid", role="ccu")
    builder.act(
        "status_check",
        1,
        "record_immigration_offender",
        {"offender_kind": "overstayer"},
        role="ccu",
    )
    assert rules(builder.blocks("status_check", 1, onward, role="ccu")) == blocked


def test_high_harm_team_referral_needs_the_threshold() -> None:
    builder = ViewBuilder()
    builder.act(
        "encounter",
        "new",
        "arrest",
        {"offence": "synthetic", "offence_category": "theft", "force": "MPS"},
    )
    builder.act(
        "encounter",
        "new",
        "arrest",
        {"offence": "synthetic", "offence_category": "knife", "force": "MPS"},
    )
    for encounter in (1, 2):
        builder.act("status_check", "new", "refer_to_ccu", {"encounter": encounter})
        builder.act("status_check", encounter, "check_cid", role="ccu")
        builder.act(
            "status_check",
            encounter,
            "record_immigration_offender",
            {"offender_kind": "overstayer"},
            role="ccu",
        )
        builder.act("status_check", encounter, "refer_to_joc", role="ccu")
    assert rules(builder.blocks("status_check", 1, "refer_to_high_harm_team", role="joc")) == [
        "high_harm_met"
    ]
    assert builder.blocks("status_check", 2, "refer_to_high_harm_team", role="joc") == []
