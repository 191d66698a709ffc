"""DVA passport checks (¶4.36–4.37, fn 21–22): who may run them, on what doubt, and who asked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from casetracker.adapters.organisation_file import configured
from casetracker.domain.organisation import DvaAccess, Organisation
from casetracker.domain.rules.dva import decide
from tests.unit.view_builder import ViewBuilder

DOUBT = "speaks of a childhood abroad; no UK documents"
IO = "immigration_officer"
CLAIM = ["claimed to be British when arrested (encounter #1)"]


@pytest.mark.parametrize(
    ("action", "role", "justification", "claims", "allowed"),
    [
        ("run_dva_check", "police", DOUBT, CLAIM, True),
        ("run_dva_check", "immigration_officer", DOUBT, CLAIM, False),
        ("ask_ccu_for_dva_check", "immigration_officer", DOUBT, CLAIM, True),
        ("run_requested_dva_check", "ccu", DOUBT, CLAIM, True),
        ("run_dva_check", "police", "", CLAIM, False),
        ("run_dva_check", "police", "doubt", CLAIM, False),
        ("run_dva_check", "police", DOUBT, [], False),
    ],
)
def test_dva_decision_table(
    action: str, role: str, justification: str, claims: list[str], allowed: bool
) -> None:
    decision = decide(action, role, configured().dva(role), justification, claims)
    assert decision.allowed is allowed
    assert decision.reasons
    assert len(decision.remedies) == (0 if allowed else len(decision.reasons))


def _claimed_british(builder: ViewBuilder) -> None:
    builder.act(
        "encounter",
        "new",
        "arrest",
        {"offence": "synthetic", "offence_category": "theft", "force": "WMP"},
    )
    builder.act(
        "encounter",
        1,
        "record_nationality",
        {"nationality_group": "claimed_uk", "nationality_basis": "claimed"},
    )


def test_io_must_go_through_ccu_and_ccu_runs_it_recording_who_asked() -> None:
    builder = ViewBuilder()
    _claimed_british(builder)
    assert "dva_access" in {
        b.rule
        for b in builder.blocks(
            "dva_check",
            "new",
            "run_dva_check",
            {"reasonable_doubt": DOUBT},
            role="immigration_officer",
        )
    }
    builder.act(
        "dva_check",
        "new",
        "ask_ccu_for_dva_check",
        {"reasonable_doubt": DOUBT, "requested_by": "IO 4471 (synthetic)"},
        role="immigration_officer",
    )
    builder.act("dva_check", 1, "run_requested_dva_check", role="ccu")
    builder.act("dva_check", 1, "record_no_passport_record", role="ccu")
    (check,) = builder.view.of("dva_check")
    assert check.fields["requested_by"] == "IO 4471 (synthetic)"
    assert check.fields["reasonable_doubt"] == DOUBT
    ran = check.first("run_requested_dva_check")
    assert ran is not None
    assert ran.actor_role == "ccu"
    assert check.state == "no_passport_record"


def test_no_check_without_a_claim_to_be_british() -> None:
    builder = ViewBuilder()
    blocks = builder.blocks("dva_check", "new", "run_dva_check", {"reasonable_doubt": DOUBT})
    assert [b.rule for b in blocks] == ["dva_reasonable_doubt"]
    assert "no claim to be a British citizen" in blocks[0].reason


def test_verified_citizenship_needs_a_found_passport_record() -> None:
    builder = ViewBuilder()
    builder.act("leave", 0, "record_british_claim", role="police")
    evidence = {"evidence": "dva_passport_record"}
    assert builder.blocks("leave", 0, "verify_british_citizenship", evidence, role="police")
    builder.act("dva_check", "new", "run_dva_check", {"reasonable_doubt": DOUBT})
    builder.act("dva_check", 1, "record_passport_record_found")
    assert builder.blocks("leave", 0, "verify_british_citizenship", evidence, role="police") == []


def _org_with_dva(**access: str) -> Organisation:
    base = configured()
    table = dict(base.dva_access) | {role: DvaAccess(value) for role, value in access.items()}
    return replace(base, dva_access=tuple(sorted(table.items())))


@pytest.mark.parametrize(
    ("access", "action", "role", "rules"),
    [
        # the shipped file: police direct, IOs and the JOC through CCU (¶4.37)
        ({}, "run_dva_check", "police", []),
        ({}, "run_dva_check", "immigration_officer", ["dva_access"]),
        ({}, "run_dva_check", "joc", ["dva_access"]),
        ({}, "ask_ccu_for_dva_check", "joc", []),
        # Recommendation 3c measured: the JOC given direct access runs the check itself
        ({"joc": "direct"}, "run_dva_check", "joc", []),
        ({"joc": "direct"}, "ask_ccu_for_dva_check", "joc", ["dva_access"]),
        # a force that takes DVA from the police: no access at all, not even through CCU
        ({"police": "none"}, "run_dva_check", "police", ["dva_access"]),
        ({IO: "none"}, "ask_ccu_for_dva_check", IO, ["dva_access"]),
    ],
)
def test_dva_access_per_role_is_read_from_the_organisation_file(
    access: dict[str, str], action: str, role: str, rules: list[str]
) -> None:
    builder = ViewBuilder(_org_with_dva(**access))
    _claimed_british(builder)
    fields = {"reasonable_doubt": DOUBT, "requested_by": "IO 4471 (synthetic)"}
    if action == "run_dva_check":
        fields.pop("requested_by")
    blocks = builder.blocks("dva_check", "new", action, fields, role=role)
    assert [b.rule for b in blocks] == rules
    for refused in blocks:
        assert f"dva_access.{role}" in refused.reason


def test_ccu_without_dva_access_cannot_run_a_requested_check() -> None:
    builder = ViewBuilder(_org_with_dva(ccu="none"))
    _claimed_british(builder)
    fields = {"reasonable_doubt": DOUBT, "requested_by": "IO 4471 (synthetic)"}
    builder.act("dva_check", "new", "ask_ccu_for_dva_check", fields, role="immigration_officer")
    blocks = builder.blocks("dva_check", 1, "run_requested_dva_check", role="ccu")
    assert [b.rule for b in blocks] == ["dva_access"]
    assert "dva_access.ccu" in blocks[0].reason
