"""ACRO results: the Serious Offence List, who may see a result and who may act on it
(¶4.32–4.35, fn 19–20)."""

from __future__ import annotations

import pytest

from casetracker.adapters.organisation_file import configured
from casetracker.domain.organisation import AcroSharing
from casetracker.domain.rules.deportation import deportation_grounds
from casetracker.domain.rules.hosol import (
    acro_visibility,
    classification_problems,
    hosol_offences,
    visibility,
)
from tests.unit.view_builder import ViewBuilder

ALL, RESTRICTED = AcroSharing.ALL, AcroSharing.RESTRICTED
IO = "immigration_officer"

VISIBILITY = [
    # result, Home Office's own check, force sharing, role -> visible, usable for immigration
    ("hosol", False, RESTRICTED, IO, True, True),
    ("hosol", False, ALL, IO, True, True),
    ("non_hosol", False, RESTRICTED, IO, False, False),
    ("non_hosol", False, ALL, IO, True, False),
    ("non_hosol", True, RESTRICTED, IO, True, True),
    ("non_hosol", False, RESTRICTED, "police", True, False),
    ("non_hosol", False, RESTRICTED, "joc", False, False),
    ("no_record", False, ALL, IO, True, False),
    ("pending", False, RESTRICTED, IO, False, False),
]


@pytest.mark.parametrize(("result", "own", "sharing", "role", "visible", "usable"), VISIBILITY)
def test_visibility_table(
    result: str, own: bool, sharing: AcroSharing, role: str, visible: bool, usable: bool
) -> None:
    found = visibility(result, own, sharing, role)
    assert (found.visible, found.usable_for_immigration_action) == (visible, usable)
    assert found.reasons


def test_hidden_result_says_why() -> None:
    found = visibility("non_hosol", False, RESTRICTED, IO)
    assert "does not share" in found.reasons[0]
    assert any("second ACRO check" in r for r in found.reasons)


@pytest.mark.parametrize(
    ("categories", "serious"),
    [
        (["murder_or_manslaughter"], ["murder_or_manslaughter"]),
        (["sexual_offence", "theft"], ["sexual_offence"]),
        (["theft", "fare_evasion"], []),
        ([], []),
    ],
)
def test_hosol_offences(categories: list[str], serious: list[str]) -> None:
    assert hosol_offences(categories) == serious


def test_classification_must_match_the_list() -> None:
    assert classification_problems("record_hosol_result", ["theft"])
    assert classification_problems("record_non_hosol_result", ["gbh"])
    assert not classification_problems("record_hosol_result", ["gbh", "theft"])
    assert not classification_problems("record_non_hosol_result", ["theft"])


HOSOL, BELOW = "record_hosol_result", "record_non_hosol_result"


@pytest.mark.parametrize(
    ("action", "categories", "merited", "wrong"),
    [
        # singly, by nature: an offence the list names needs no sentence (fn 19)
        (HOSOL, ["murder_or_manslaughter"], False, False),
        (HOSOL, ["gbh"], False, False),
        (BELOW, ["gbh"], False, True),
        (BELOW, ["sexual_offence", "theft"], False, True),
        # singly, by sentence: one unlisted offence that merited a significant custodial sentence
        (HOSOL, ["other_violence"], True, False),
        (BELOW, ["other_violence"], True, True),
        (HOSOL, ["other_violence"], False, True),
        (BELOW, ["other_violence"], False, False),
        # together: unlisted offences none of which would, but which together merited one
        (HOSOL, ["theft", "other_violence"], True, False),
        (HOSOL, ["burglary", "burglary", "theft"], True, False),
        (BELOW, ["theft", "other_violence"], True, True),
        (HOSOL, ["theft", "other_violence"], False, True),
        (BELOW, ["theft", "other_violence"], False, False),
        # no convictions: nothing merited anything
        (HOSOL, [], True, True),
        (HOSOL, [], False, True),
        (BELOW, [], False, False),
    ],
)
def test_the_list_counts_offences_singly_or_together(
    action: str, categories: list[str], merited: bool, wrong: bool
) -> None:
    """fn 19: murder, sexual offences and other offences, mostly violent, which singly or
    together merited a significant custodial sentence; the recorder says whether they did."""
    assert bool(classification_problems(action, categories, merited)) is wrong


def test_offences_together_reach_criminal_casework_and_the_grounds_say_so() -> None:
    builder = ViewBuilder()
    check = builder.act(
        "acro_check", "new", "request_acro_check", {"force": "WMP", "country": "Synthland"}
    )
    together = {"conviction_categories": ["theft", "other_violence"]}
    refused = builder.blocks("acro_check", check.number, HOSOL, together)
    assert [b.rule for b in refused] == ["hosol_classification"]
    assert "singly or together" in refused[0].reason
    merited = {**together, "merited_significant_custody": True}
    builder.act("acro_check", check.number, HOSOL, merited)
    builder.act("acro_check", check.number, "refer_to_criminal_casework")
    (grounds,) = deportation_grounds(builder.view)
    assert "together merited a significant custodial sentence (fn 19)" in grounds


def _police_check(builder: ViewBuilder, force: str, heading: str, categories: list[str]) -> int:
    check = builder.act(
        "acro_check",
        "new",
        "request_acro_check",
        {"force": force, "country": "Synthland (synthetic)"},
    )
    builder.act("acro_check", check.number, heading, {"conviction_categories": categories})
    return check.number


def test_instance_visibility_follows_the_forces_policy() -> None:
    org = configured()
    builder = ViewBuilder(org)
    number = _police_check(builder, "WYP", "record_non_hosol_result", ["theft"])
    check = builder.view.instances[f"acro_check#{number}"]
    wyp, wmp = org.force("WYP"), org.force("WMP")
    assert acro_visibility(check, wyp.policy.acro_sharing, IO).visible
    assert not acro_visibility(check, wmp.policy.acro_sharing, IO).visible


def _deport(builder: ViewBuilder) -> list[str]:
    blocks = builder.blocks("removal", 0, "make_deportation_decision", role="casework")
    return [b.rule for b in blocks]


def _home_office_check(builder: ViewBuilder, heading: str | None, categories: list[str]) -> int:
    check = builder.act(
        "acro_check",
        "new",
        "request_immigration_acro_check",
        {"force": "WMP", "country": "Synthland (synthetic)"},
        role="casework",
    )
    if heading is not None:
        fields = {"conviction_categories": categories} if categories else {}
        builder.act("acro_check", check.number, heading, fields, role="casework")
    return check.number


def test_hosol_result_goes_to_criminal_casework_and_enables_deportation() -> None:
    """¶4.32 refers it; ¶4.35 and fn 20: the decision waits for Immigration Enforcement's own
    check, the step that records it being request_immigration_acro_check and its result."""
    builder = ViewBuilder()
    assert _deport(builder) == ["deportation_grounds"]
    number = _police_check(builder, "WMP", "record_hosol_result", ["robbery"])
    builder.act("acro_check", number, "refer_to_criminal_casework")
    assert _deport(builder) == ["own_acro_check_first"]
    reason = builder.blocks("removal", 0, "make_deportation_decision", role="casework")[0]
    assert "overseas conviction" in reason.reason and "own ACRO check" in reason.reason
    assert "request_immigration_acro_check" in reason.remedy
    _home_office_check(builder, "record_hosol_result", ["robbery"])
    assert _deport(builder) == []


@pytest.mark.parametrize(
    ("own_check", "uk_sentence", "blocked"),
    [
        (None, False, ["own_acro_check_first"]),  # no check of its own at all
        ("pending", False, ["own_acro_check_first"]),  # asked, no answer yet
        ("record_acro_no_response", False, ["own_acro_check_first"]),
        ("record_acro_no_record", False, ["own_acro_check_first"]),  # its check found nothing
        ("record_non_hosol_result", False, []),  # it now holds the convictions itself (fn 20)
        ("record_hosol_result", False, []),
        (None, True, []),  # a UK sentence is grounds that need no ACRO check
    ],
)
def test_a_decision_on_an_overseas_conviction_needs_the_home_offices_own_check(
    own_check: str | None, uk_sentence: bool, blocked: list[str]
) -> None:
    builder = ViewBuilder()
    number = _police_check(builder, "WMP", "record_hosol_result", ["robbery"])
    builder.act("acro_check", number, "refer_to_criminal_casework")
    if uk_sentence:
        arrest = {"offence": "synthetic", "offence_category": "other_violence", "force": "WMP"}
        builder.act("encounter", "new", "arrest", arrest, "2015-01-10")
        builder.act("encounter", 1, "charge", effective="2015-01-10")
        builder.act("encounter", 1, "remand", effective="2015-01-11")
        sentence = {"conviction_category": "other_violence", "sentence": "custodial"}
        builder.act("encounter", 1, "convict", {**sentence, "sentence_months": 24}, "2015-06-01")
    if own_check is not None:
        heading = None if own_check == "pending" else own_check
        categories = ["robbery"] if own_check.endswith("_result") else []
        if own_check == "record_non_hosol_result":
            categories = ["theft"]
        _home_office_check(builder, heading, categories)
    assert _deport(builder) == blocked


def test_recording_a_result_under_the_wrong_heading_is_refused() -> None:
    builder = ViewBuilder()
    check = builder.act(
        "acro_check",
        "new",
        "request_acro_check",
        {"force": "WMP", "country": "Synthland (synthetic)"},
    )
    blocks = builder.blocks(
        "acro_check",
        check.number,
        "record_non_hosol_result",
        {"conviction_categories": ["knife", "shoplifting"]},
    )
    assert [b.rule for b in blocks] == ["hosol_classification"] * 2
    assert "'shoplifting' is not an offence category" in blocks[0].reason
