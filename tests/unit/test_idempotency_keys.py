"""An event recorded without an idempotency key gets one from ``store.new_key``: unique and
unguessable as 128 random bits were, and in time order, so that the keys' unique index grows
at its right-hand end."""

from __future__ import annotations

import time

from casetracker.adapters.store import new_key


def test_keys_are_32_hex_digits_unique_and_in_time_order():
    keys = []
    for _ in range(3):
        keys += [new_key() for _ in range(500)]
        _next_millisecond()  # the next batch in a later millisecond
    assert all(len(k) == 32 and int(k, 16) >= 0 for k in keys)
    assert len(set(keys)) == len(keys)
    stamps = [k[:12] for k in keys]
    assert stamps == sorted(stamps)  # ordered by their time, whatever their random part
    assert len({k[12:] for k in keys}) == len(keys)  # 80 random bits each


def _next_millisecond() -> None:
    now = time.time_ns() // 1_000_000
    while time.time_ns() // 1_000_000 == now:
        pass


def test_a_key_starts_with_the_time_it_was_made():
    before = time.time_ns() // 1_000_000
    stamp = int(new_key()[:12], 16)
    assert before <= stamp <= time.time_ns() // 1_000_000
