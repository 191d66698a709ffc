"""High Harm (fn 8): each listed category, on this arrest or as a previous conviction, and the
prolific robber or burglar boundary at three convictions."""

from __future__ import annotations

import pytest

from casetracker.domain.rules.high_harm import PROLIFIC, SERIOUS_CATEGORIES, assess, assess_offences
from tests.unit.view_builder import ViewBuilder

CASES = [
    # (arrest on this occasion, previous convictions, met, criteria names)
    ([], [], False, []),
    (["drugs_possession"], ["theft", "fare_evasion"], False, []),
    (["gbh"], [], True, ["gbh_or_above"]),
    (["murder_or_manslaughter"], [], True, ["gbh_or_above"]),
    ([], ["gbh"], True, ["gbh_or_above"]),
    (["other_violence"], ["other_violence"], False, []),
    (["human_trafficking"], [], True, ["human_trafficking"]),
    ([], ["sexual_offence"], True, ["sex_offence"]),
    (["firearm"], [], True, ["firearm"]),
    ([], ["knife"], True, ["knife"]),
    (["other_weapon"], [], True, ["other_weapon"]),
    ([], ["robbery", "robbery"], False, []),
    ([], ["robbery", "burglary"], False, []),
    ([], ["robbery", "robbery", "robbery"], True, [PROLIFIC]),
    ([], ["burglary", "robbery", "burglary"], True, [PROLIFIC]),
    ([], ["burglary"] * 4, True, [PROLIFIC]),
    (["robbery"], ["robbery", "burglary"], False, []),  # an arrest is not a conviction
    (["knife"], ["robbery"] * 3, True, ["knife", PROLIFIC]),
]


@pytest.mark.parametrize(("arrest", "convictions", "met", "names"), CASES)
def test_high_harm_table(
    arrest: list[str], convictions: list[str], met: bool, names: list[str]
) -> None:
    found = assess_offences(arrest, convictions)
    assert found.met is met
    assert [c.name for c in found.criteria] == names
    assert all(c.evidence for c in found.criteria)


def test_every_serious_criterion_is_tested() -> None:
    tested = {name for *_, names in CASES for name in names}
    assert set(SERIOUS_CATEGORIES) | {PROLIFIC} <= tested


def test_evidence_says_which_occasion() -> None:
    found = assess_offences(["knife"], ["gbh"])
    assert [(c.name, c.evidence) for c in found.criteria] == [
        ("gbh_or_above", "previous conviction for grievous bodily harm"),
        ("knife", "arrested on this occasion for knife offence"),
    ]


def _arrested(builder: ViewBuilder, category: str, day: str) -> int:
    encounter = builder.act(
        "encounter",
        "new",
        "arrest",
        {"offence": "synthetic", "offence_category": category, "force": "MPS"},
        day,
    )
    return encounter.number


def _convicted(builder: ViewBuilder, category: str, day: str) -> None:
    number = _arrested(builder, category, day)
    builder.act("encounter", number, "charge", effective=day)
    builder.act("encounter", number, "remand", effective=day)
    builder.act(
        "encounter",
        number,
        "convict",
        {"conviction_category": category, "sentence": "custodial"},
        day,
    )


def test_case_level_assessment_counts_convictions_across_encounters() -> None:
    builder = ViewBuilder()
    _convicted(builder, "burglary", "2012-01-10")
    _convicted(builder, "robbery", "2013-01-10")
    assert not assess(builder.view).met
    _arrested(builder, "theft", "2014-01-10")
    assert not assess(builder.view).met
    _convicted(builder, "burglary", "2015-01-10")
    assert not assess(builder.view).met, "this arrest's own conviction is not a previous one"
    _arrested(builder, "theft", "2016-01-10")
    found = assess(builder.view)
    assert found.met
    assert "encounter #4" in found.criteria[0].evidence
    assert not assess(builder.view, 3).met, "convictions after an arrest are not previous to it"


def test_previous_means_before_this_arrest_by_effective_date() -> None:
    """A conviction recorded later but dated before the arrest is previous (fn 8)."""
    builder = ViewBuilder()
    _arrested(builder, "theft", "2016-01-10")
    _convicted(builder, "knife", "2015-06-01")
    assert assess(builder.view, 1).met
    _convicted(builder, "gbh", "2016-03-01")
    assert [c.evidence for c in assess(builder.view, 1).criteria] == [
        "previous conviction for knife offence (encounter #2)"
    ]


def test_police_acro_results_count_for_high_harm() -> None:
    """The police's own ACRO results find High Harm cases for them (¶3.6, ¶4.33); the Home
    Office counts a non-HOSOL result only from its own second check (fn 20)."""
    builder = ViewBuilder()
    _arrested(builder, "theft", "2016-01-01")
    request = {"force": "WYP", "country": "Synthland (synthetic)"}
    check = builder.act("acro_check", "new", "request_acro_check", request)
    builder.act(
        "acro_check",
        check.number,
        "record_non_hosol_result",
        {"conviction_categories": ["burglary", "burglary", "burglary"]},
    )
    assert not assess(builder.view).met, "the Home Office needs its own second check (fn 20)"
    found = assess(builder.view, by_police=True)
    assert found.criteria[0].name == PROLIFIC
    assert "ACRO check #1" in found.criteria[0].evidence


def _referred(builder: ViewBuilder, force: str, category: str) -> None:
    fields = {"offence": "synthetic", "offence_category": category, "force": force}
    number = builder.act("encounter", "new", "arrest", fields, "2016-02-01").number
    builder.act("status_check", "new", "refer_to_ccu", {"encounter": number}, "2016-02-01")


@pytest.mark.parametrize(
    ("force", "category", "blocked"),
    [
        ("WMP", "knife", []),  # outside London the police refer High Harm cases (¶3.6)
        ("WYP", "gbh", []),
        ("WMP", "theft", ["police_high_harm_met"]),
        ("MPS", "knife", ["police_high_harm_referral"]),  # in London the JOC does (¶3.4)
    ],
)
def test_police_refer_high_harm_cases_outside_london(
    force: str, category: str, blocked: list[str]
) -> None:
    builder = ViewBuilder()
    _referred(builder, force, category)
    blocks = builder.blocks(
        "status_check", 1, "police_refer_to_high_harm_team", effective="2016-02-01", role="police"
    )
    assert [b.rule for b in blocks] == blocked


def test_police_referral_counts_their_own_acro_results() -> None:
    builder = ViewBuilder()
    _referred(builder, "WMP", "theft")
    request = {"force": "WMP", "country": "Synthland (synthetic)"}
    check = builder.act("acro_check", "new", "request_acro_check", request, "2016-02-01")
    three = {"conviction_categories": ["burglary", "burglary", "burglary"]}
    builder.act("acro_check", check.number, "record_non_hosol_result", three, "2016-02-01")
    assert (
        builder.blocks(
            "status_check",
            1,
            "police_refer_to_high_harm_team",
            effective="2016-02-01",
            role="police",
        )
        == []
    )
