"""The hashed encoding: one text per event, the documented bytes, and Hypothesis on both paths."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetracker.integrity.encoding import (
    EVENT_FORMAT,
    GENESIS,
    canonical_json,
    encode,
    event_hash,
    hashed_values,
    heads_digest,
    leaf_hash,
    recorded_event,
    stored_hash,
    stored_step,
    stored_values,
)

TEXT = st.text(
    st.characters(min_codepoint=0x20, blacklist_characters="\x7f", blacklist_categories=("Cs",)),
    max_size=20,
)


@given(
    st.tuples(
        st.integers(1, 10**9),
        TEXT,
        st.integers(1, 10**6),
        TEXT,
        TEXT,
        st.integers(1, 9),
        st.integers(0, 9),
        TEXT,
        TEXT,
        TEXT,
        TEXT,
        TEXT,
        TEXT,
        st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.booleans())).map(canonical_json),
        st.just(GENESIS),
    )
)
def test_fast_hash_equals_the_documented_encoding(values):
    assert event_hash(values) == leaf_hash(encode(EVENT_FORMAT, values))
    stored = stored_values(values)
    assert stored_hash(stored) == event_hash(values)  # the store's and the verifier's path
    assert hashed_values(recorded_event((*stored, "h"))) == values  # a reader's


def test_a_step_must_be_in_the_form_the_store_writes():
    import pytest

    assert stored_step("live\x1fcase\x1f1\x1f0\x1fopen_case") == ("live", "case", 1, 0, "open_case")
    for bad in (
        "live\x1fcase\x1f01\x1f0\x1fopen_case",
        "live\x1fcase\x1f1\x1f0",
        "live\x1fcase\x1f1_0\x1f0\x1fa",
    ):
        with pytest.raises(ValueError):
            stored_step(bad)


def test_documented_bytes_for_a_known_event():
    values = (
        1, "C-0000001", 1, "live", "case", 1, 0, "open_case", "pc.jones", "police",
        "2013-07-16", "2026-11-26T12:00:00.000000Z", "k1", '{"fields":{}}', GENESIS,
    )  # fmt: skip
    expected = "\x1f".join(["casetracker/event/1", *map(str, values)]).encode()
    assert event_hash(values) == hashlib.sha256(b"\x00" + expected).hexdigest()


JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)


@given(JSON)
def test_canonical_json_is_what_the_standard_encoder_writes(value):
    assert canonical_json(value) == json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def test_canonical_json_refuses_what_json_cannot_say():
    for bad in (float("nan"), {"x": float("inf")}, {"x": object()}, {1: 1, "a": 2}):
        with pytest.raises((ValueError, TypeError)):
            canonical_json(bad)


def test_canonical_json_is_one_text_per_value():
    assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'
    assert "\x1f" not in canonical_json({"x": "a\x1fb"})  # control characters are escaped


def test_heads_digest_ignores_order_but_not_content():
    heads = [("C-2", 3, "aa"), ("C-1", 1, "bb")]
    assert heads_digest(heads) == heads_digest(list(reversed(heads)))
    assert heads_digest(heads) != heads_digest(heads[:1])


def test_text_fields_refuse_what_would_make_the_encoding_ambiguous():
    import pytest

    from casetracker.integrity.encoding import check_text

    for bad in ("a\x1fb", "line\nbreak", "\udcff"):
        with pytest.raises(ValueError, match="control characters"):
            check_text("action", bad)
    assert check_text("action", "open_case") == "open_case"
