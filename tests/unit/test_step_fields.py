"""``engine.step_fields``: a payload's fields read once and copied, never shared between steps."""

from __future__ import annotations

import json

from casetracker.domain import engine
from casetracker.domain.engine import step_fields


def test_each_step_gets_fields_of_its_own() -> None:
    payload = '{"checked":["referred_encounter_exists"],"fields":{"encounter":1}}'
    first = step_fields(payload)
    first["encounter"] = 2
    assert step_fields(payload) == {"encounter": 1}
    assert step_fields(payload) is not step_fields(payload)


def test_fields_are_what_the_payload_holds() -> None:
    for payload in ('{"fields":{}}', '{"checked":["a"]}', '{"fields":{"force":"SUR","n":[1,2]}}'):
        assert step_fields(payload) == json.loads(payload).get("fields", {})
        assert step_fields(payload) == json.loads(payload).get("fields", {})  # kept, read back


def test_a_payload_with_personal_digests_is_not_kept() -> None:
    payload = '{"fields":{"force":"SUR"},"personal":{"name":"' + "ab" * 32 + '"}}'
    assert step_fields(payload) == {"force": "SUR"}
    assert payload not in engine._FIELDS
