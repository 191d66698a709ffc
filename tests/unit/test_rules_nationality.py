"""A claimed nationality and a verified one are both kept, and a mismatch is flagged (issue 14
item 8; ¶4.1-4.2: people misstate their nationality; fn 10-11: documents and fingerprints
verify it)."""

from __future__ import annotations

import pytest

from casetracker.domain.rules.nationality import mismatch, same
from tests.unit.view_builder import ViewBuilder

C, V = "nationality", "verified_nationality"


@pytest.mark.parametrize(
    ("before", "given", "flag"),
    [
        ({}, {C: "Indian"}, None),  # a claim alone: nothing to compare
        ({}, {V: "Indian"}, None),  # a verification alone: nothing to compare
        ({C: "Indian"}, {V: "indian "}, False),  # the same, however typed
        ({C: "Indian"}, {V: "Pakistani"}, True),
        ({V: "Pakistani"}, {C: "Pakistani"}, False),  # a claim recorded after the check
        ({C: "Indian", V: "Pakistani"}, {V: "Indian"}, False),  # verification corrected
        ({C: "Indian", V: "Indian"}, {C: "British"}, True),  # a later, different claim
        ({}, {C: "Indian", V: "Nepalese"}, True),  # both at once
        ({C: "Indian"}, {"name": "A Person"}, None),  # no nationality in this action
    ],
)
def test_mismatch_table(before: dict, given: dict, flag: bool | None) -> None:
    assert mismatch(before, given) is flag


def test_same_ignores_case_and_spacing_only() -> None:
    assert same(" Indian", "indian") and not same("Indian", "Indonesian")


def _arrested(builder: ViewBuilder) -> None:
    fields = {"offence": "theft", "offence_category": "theft", "force": "WMP"}
    builder.act("encounter", "new", "arrest", fields, "2016-01-01T10:00:00Z")


def test_a_verified_nationality_goes_in_its_own_field_so_the_claim_is_kept() -> None:
    builder = ViewBuilder()
    _arrested(builder)
    overwrite = {"nationality": "Pakistani", "nationality_group": "non_eea",
                 "nationality_basis": "verified"}  # fmt: skip
    blocks = builder.blocks("encounter", 1, "record_nationality", overwrite, "2016-01-01T11:00")
    assert [b.rule for b in blocks] == ["nationality_kept_apart"]
    assert "verified_nationality" in blocks[0].remedy
    kept = {**overwrite, "verified_nationality": "Pakistani"}
    kept.pop("nationality")
    assert builder.blocks("encounter", 1, "record_nationality", kept, "2016-01-01T11:00") == []
