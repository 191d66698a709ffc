"""Words a person reads instead of identifiers (``presenters.labels``): every rule the guards
give has a label, and a rule's reason is read out with the definitions' own labels while an
organisation-file reference, which names what to edit, is kept as written."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from casetracker.domain.case_view import Block
from casetracker.domain.rules.guards import GUARDS
from casetracker.domain.vocabulary import in_sentence
from casetracker.presenters.labels import (
    ROLE_LABELS,
    RULE_LABELS,
    choice_label,
    field_label,
    item_key,
    item_label,
    label_of,
    readable_block,
    readable_text,
    role_label,
    rule_label,
)
from casetracker.services.registry import workflow_engine

ROOT = Path(__file__).resolve().parents[2]


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
    assert in_sentence("High Commission") == "High Commission"  # an ETD's state: a name
    assert in_sentence("Verified British citizen") == "verified British citizen"
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
    for key in ("encounter#1", "status_check#12", "etd", "case", "barrier#3"):
        assert item_key(flow, item_label(flow, key)) == key  # what --item takes back
        assert item_key(flow, item_label(flow, key).upper()) == key
        assert item_key(flow, key) == key


# A raw identifier a person should never read: a snake_case name or a record key, not part of
# an organisation-file reference (``forces.GMP.custody_db = none``), which names what to edit.
_RAW_ID = re.compile(r"(?<![\w.])(?:[a-z]+(?:_[a-z]+)+|[a-z_]+#\d+)(?![\w.#]|\s*=)")
_PROSE_MODULES = [
    *sorted((ROOT / "casetracker/domain/rules").glob("*.py")),
    ROOT / "casetracker/domain/engine.py",
]


def _prose(path: Path) -> list[str]:
    """Every string a module's code builds that reads as words (an f-string's values as "1"),
    docstrings left out: the reasons and remedies its guards can give."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            texts.append(
                "".join(v.value if isinstance(v, ast.Constant) else "1" for v in node.values)
            )
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            texts.append(node.value)
    return [t for t in texts if " " in t.strip()]


def test_no_guard_reason_reads_as_a_raw_identifier() -> None:
    """Every reason and remedy the rules and the engine can word, as the TUI shows it: records
    by their lifecycle's label ("Encounter #1", not "encounter #1" or ``encounter#1``), and no
    snake_case identifier (issue 17)."""
    flow = workflow_engine()
    records = [spec.name.replace("_", " ") for spec in flow.latest.values() if spec.many]
    records += [spec.label.lower() for spec in flow.latest.values() if spec.many]
    lowercase_record = re.compile(rf"(?<![\w#])(?:{'|'.join(map(re.escape, records))}) #\d")
    checked = 0
    for path in _PROSE_MODULES:
        for text in _prose(path):
            shown = readable_text(flow, text)
            assert not lowercase_record.search(shown), (path.name, text, shown)
            assert not _RAW_ID.search(shown), (path.name, text, shown)
            checked += 1
    assert checked > 200  # the scan found the rules' words


def test_no_label_of_the_definitions_is_a_raw_identifier() -> None:
    flow = workflow_engine()
    labels = [*RULE_LABELS.values(), *(role_label(r) for r in ROLE_LABELS)]
    for spec in flow.latest.values():
        labels.append(spec.label)
        labels += [state.label for state in spec.states]
        for action in spec.actions:
            labels.append(action.label)
            labels += [f.label for f in action.fields if f.label]
    raw = [label for label in labels if _RAW_ID.search(label)]
    assert not raw, raw


def test_a_field_is_named_by_the_action_that_recorded_it() -> None:
    """``reason`` is "Reason" on deferred removal directions, "Why the record was wrong" on a
    corrected subject: the first label defined had named it on every event (the demo's deferral
    read "Why the record was wrong  judicial review")."""
    flow = workflow_engine()
    assert field_label(flow, "removal", 1, "defer_removal_directions", "reason") == "Reason"
    assert field_label(flow, "case", 1, "correct_subject", "reason") == "Why the record was wrong"
    assert field_label(flow, "case", 1, "close_case", "reason") == "Why it is closed"
    assert field_label(flow, "work", 1, "reassign_item", "owner") == "New owner"
    assert field_label(flow, "work", 1, "claim_item", "owner") == "Holder"
    assert field_label(flow, "encounter", 1, "transfer_to_suite", "custody_suite") == (
        "Suite moved to"
    )
    assert field_label(flow, "etd", 1, "record_etd_issued", "verified_nationality") == (
        "Nationality (verified by the ETD)"
    )
    # A version no longer defined: the action's latest; a field it does not define: the one
    # label every action gives it, or, where actions differ, words rather than another's label.
    assert field_label(flow, "removal", 99, "defer_removal_directions", "reason") == "Reason"
    assert field_label(flow, "removal", 1, "no_such_action", "reason") == "reason"
    assert field_label(flow, "case", 1, "no_such_action", "verified_nationality") == (
        "verified nationality"
    )


def test_the_audit_panel_names_each_field_by_its_action() -> None:
    from casetracker.domain.events import RecordedEvent
    from tui.screens.audit import payload_rows

    flow = workflow_engine()
    deferred = RecordedEvent(
        78, "C-0000001", 78, "demo", "removal", 1, 0, "defer_removal_directions", "io.demo",
        "immigration_officer", "2016-06-24", "2016-06-23T23:00:01.000000Z", "demo:78",
        '{"fields":{"reason":"judicial_review"}}', "0" * 64, "1" * 64,
    )  # fmt: skip
    rows = dict(payload_rows(deferred, flow))
    table = rows["fields"]
    names = [str(cell) for cell in table.columns[0].cells]
    assert names == ["Reason"]
