"""An idempotency key longer than an event holds (128 characters) is a malformed request on
both backends: exit 2, one line, nothing written.

PostgreSQL refused it at the insert ("cannot read the database: value too long", exit 1)
while SQLite, which checks no length, recorded it; with several cases each case's key is the
key given, '/' and the case id, which could pass the limit only there.
"""

from __future__ import annotations

import pytest


def _events(run, db: str, case_id: str) -> int:
    return len(run("--db", db, "case", "history", case_id, "--json").json["events"])


def _opened(run, db: str) -> str:
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                 "-f", "force=MPS", "-e", "2015-01-01", "--json")  # fmt: skip
    assert opened.code == 0, opened.err
    return opened.json["case_id"]


@pytest.mark.parametrize("length", [129, 100_000])
def test_a_key_longer_than_an_event_holds_is_refused(run, db, length):
    case_id = _opened(run, db)
    before = _events(run, db, case_id)
    acted = run("--db", db, "--role", "police", "case", "act", case_id, "add_note",
                "-f", "text=x", "--idempotency-key", "k" * length)  # fmt: skip
    assert acted.code == 2 and "128 characters" in acted.err, (acted.code, acted.err)
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=B",
                 "--idempotency-key", "k" * length)  # fmt: skip
    assert opened.code == 2, opened.err
    assert _events(run, db, case_id) == before


def test_a_key_of_128_characters_is_kept(run, db):
    case_id = _opened(run, db)
    acted = run("--db", db, "--role", "police", "case", "act", case_id, "add_note",
                "-f", "text=x", "--idempotency-key", "k" * 128, "--json")  # fmt: skip
    assert acted.code == 0, acted.err


def test_with_several_cases_the_key_and_case_id_must_fit(run, db):
    cases = [_opened(run, db), _opened(run, db)]
    before = [_events(run, db, c) for c in cases]
    acted = run("--db", db, "--role", "police", "case", "act", *cases, "add_note",
                "-f", "text=x", "--idempotency-key", "k" * 120)  # fmt: skip
    assert acted.code == 2 and "128 characters" in acted.err, (acted.code, acted.err)
    assert [_events(run, db, c) for c in cases] == before
