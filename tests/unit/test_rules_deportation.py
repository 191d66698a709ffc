"""Deportation has two doors (¶3.4, ¶4.32, fn 19): a Serious Offence List result referred to
Criminal Casework for a conviction abroad, or a UK conviction whose sentence meets the deportation
criteria, which go by sentence length (the threshold is an assumption: docs/assumptions.md)."""

from __future__ import annotations

import pytest

from casetracker.domain.queues import QUEUES
from casetracker.domain.rules.deportation import DEPORTATION_SENTENCE_MONTHS, deportation_grounds
from tests.unit.view_builder import ViewBuilder


def convicted(months: int | None, sentence: str = "custodial") -> ViewBuilder:
    builder = ViewBuilder()
    fields = {"offence": "synthetic", "offence_category": "other_violence", "force": "WMP"}
    builder.act("encounter", "new", "arrest", fields, "2015-01-10")
    builder.act("encounter", 1, "charge", effective="2015-01-10")
    builder.act("encounter", 1, "remand", effective="2015-01-11")
    conviction: dict[str, object] = {"conviction_category": "other_violence", "sentence": sentence}
    if months is not None:
        conviction["sentence_months"] = months
    builder.act("encounter", 1, "convict", conviction, "2015-06-01")
    return builder


@pytest.mark.parametrize(
    ("months", "sentence", "met"),
    [
        (DEPORTATION_SENTENCE_MONTHS, "custodial", True),
        (DEPORTATION_SENTENCE_MONTHS + 30, "custodial", True),
        (DEPORTATION_SENTENCE_MONTHS - 1, "custodial", False),
        (None, "custodial", False),  # no length recorded: the criteria cannot be read
        (None, "non_custodial", False),
    ],
)
def test_a_uk_sentence_can_make_a_person_liable_to_deportation(
    months: int | None, sentence: str, met: bool
) -> None:
    builder = convicted(months, sentence)
    blocks = builder.blocks("removal", 0, "make_deportation_decision", role="casework")
    assert (blocks == []) is met
    if not met:
        assert [b.rule for b in blocks] == ["deportation_grounds"]
        assert "Criminal Casework" in blocks[0].reason


def test_grounds_name_the_sentence() -> None:
    found = deportation_grounds(convicted(24).view)
    assert found == [
        f"UK custodial sentence of 24 months on encounter #1 (at least "
        f"{DEPORTATION_SENTENCE_MONTHS} months: deportation criteria, fn 19)"
    ]


def test_criminal_casework_has_its_queue() -> None:
    from casetracker.adapters.worklist import rows_for

    assert QUEUES["criminal_casework"].roles == ("casework",)
    rows = [r for r in rows_for(convicted(24).view) if r.queue == "criminal_casework"]
    assert len(rows) == 1 and "24 months" in rows[0].label
    assert not [r for r in rows_for(convicted(6).view) if r.queue == "criminal_casework"]
