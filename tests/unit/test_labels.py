"""Words a person reads instead of identifiers (``presenters.labels``): every rule the guards
give has a label, and a rule's reason is read out with the definitions' own labels while an
organisation-file reference, which names what to edit, is kept as written."""

from __future__ import annotations

from casetracker.domain.case_view import Block
from casetracker.domain.rules.guards import GUARDS
from casetracker.domain.vocabulary import in_sentence
from casetracker.presenters.labels import (
    RULE_LABELS,
    choice_label,
    item_label,
    label_of,
    readable_block,
    readable_text,
    rule_label,
)
from casetracker.services.registry import workflow_engine


def test_every_guard_has_a_label_and_every_label_a_rule() -> None:
    missing = set(GUARDS) - set(RULE_LABELS)
    assert not missing, f"name these rules in presenters/labels.py RULE_LABELS: {missing}"
    assert set(RULE_LABELS) - set(GUARDS) == {"dva_access"}  # DVA access is checked by role
    for rule in RULE_LABELS:
        assert "_" not in rule_label(rule), rule
    assert rule_label("role") == "not your role"


def test_reasons_read_with_the_definitions_labels() -> None:
    flow = workflow_engine()
    text = readable_text(
        flow,
        "encounter#1 is in_custody; status check #1 began by refer_to_ccu; offence category "
        "fraud_or_forgery, non_eea (organisation file forces.GMP.custody_db = none; "
        "dva_access.immigration_officer = via_ccu)",
    )
    assert text.startswith("Encounter #1 is in police custody; ")
    assert "began by refer to CCU for a status check;" in text
    assert "fraud or forgery, non EEA" in text
    assert "forces.GMP.custody_db = none; dva_access.immigration_officer = via_ccu)" in text
    assert "_" not in text.split("(organisation file")[0]  # no identifier left before it
    assert label_of(flow, "refer_to_high_harm_team") == "Refer to the High Harm team"
    assert choice_label("eea_not_exercising_treaty_rights") == "EEA not exercising treaty rights"


def test_a_refusal_keeps_proper_nouns_and_names_roles() -> None:
    flow = workflow_engine()
    label = flow.latest["encounter"].action("request_immigration_hold").label
    assert in_sentence(label) == "ask the police to hold the subject for the Home Office"
    assert in_sentence("ETD interview halted") == "ETD interview halted"
    refusal = Block(
        f"the ccu role may not {in_sentence(label)}",
        "ask someone with one of these roles: immigration_officer, police",
        "role",
    )
    block = readable_block(refusal, flow)
    assert block.reason == (
        "the CCU role may not ask the police to hold the subject for the Home Office"
    )
    assert block.remedy == "ask someone with one of these roles: Immigration officer, Police"


def test_worklist_items_read_as_their_lifecycles_labels() -> None:
    flow = workflow_engine()
    assert item_label(flow, "encounter#1") == "Encounter #1"
    assert item_label(flow, "status_check#12") == "Status check #12"
    assert item_label(flow, "etd") == "Travel document"  # one a case: no number
    assert item_label(flow, "case") == "Case file"
    assert item_label(flow, "no_such_thing") == "No such thing"
