"""A blank required field is reported in the words the screens use: the action's label and the
field's label, with the field's name (what ``-f name=value`` takes) in brackets."""

from __future__ import annotations

import pytest

from casetracker.domain.errors import UsageError
from casetracker.domain.fields import validate_fields
from casetracker.domain.vocabulary import ActionSpec, FieldSpec, FieldType
from workflows import latest


def test_a_blank_required_field_is_named_by_its_label_and_its_actions():
    add_note = latest("case").action("add_note")
    assert add_note is not None
    with pytest.raises(UsageError) as raised:
        validate_fields(add_note, {"text": "  "})
    assert str(raised.value) == "Add a note needs Note (field 'text')"


def test_several_blank_fields_are_listed_and_an_unlabelled_one_by_its_name():
    action = ActionSpec(
        "record_thing",
        "Record a thing",
        sources=("open",),
        dest="open",
        roles=("police",),
        fields=(
            FieldSpec("kind", FieldType.TEXT, label="Kind"),
            FieldSpec("on", FieldType.DATE, label="Decided on"),
            FieldSpec("ref", FieldType.TEXT),
        ),
    )
    with pytest.raises(UsageError) as raised:
        validate_fields(action, {})
    assert str(raised.value) == (
        "Record a thing needs Kind (field 'kind'), Decided on (field 'on') and field 'ref'"
    )
