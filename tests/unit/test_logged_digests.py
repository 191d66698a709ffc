"""``logged_digests`` reads a payload exactly as ``json.loads`` does, whatever its form: the
verifier's fast path reads the stored form in one call and must not judge any other text
differently from the walk it replaced (a payload is any text a hash-matching row may hold)."""

import json

import pytest

from casetracker.integrity.event_checks import logged_digests


def _as_json_loads_reads(payload: object) -> dict[str, str] | None:
    try:
        data = json.loads(payload)  # type: ignore[arg-type]
    except ValueError:
        return None
    digests = data.get("personal", {}) if isinstance(data, dict) else None
    if not isinstance(digests, dict) or not all(isinstance(d, str) for d in digests.values()):
        return None
    return digests


@pytest.mark.parametrize(
    "payload",
    [
        '{"personal":{"name":"ab"}}',
        ' {"personal":{"name":"ab"}} ',  # whitespace the store never writes: json.loads allows it
        '{"personal":{"name":"ab"}}\n',
        "\t{}",
        "\ufeff{}",
        '{"a":1},{"b":2}',
        '{"personal":{"name":"ab"}} x',
        "[]",
        '"text"',
        "",
        "{",
        '{"personal":[1]}',
        '{"personal":{"name":1}}',
        '{"a":NaN}',
        b'{"personal":{"name":"ab"}}',  # a BLOB
        bytearray(b"{}"),
    ],
)
def test_a_payload_is_read_as_json_loads_reads_it(payload):
    assert logged_digests(payload) == _as_json_loads_reads(payload)


@pytest.mark.parametrize("payload", [None, 5, 1.5])
def test_a_value_json_cannot_read_is_refused_as_before(payload):
    with pytest.raises(TypeError):
        json.loads(payload)
    with pytest.raises(TypeError):
        logged_digests(payload)
