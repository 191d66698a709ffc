"""A retried `case act` on several cases records nothing twice, however the case ids are
written (README: a case id may be typed in full or as its number).

The key given for several cases becomes one key per case, ``KEY/`` and the case id *as typed*
(``services.work.act_on_each``): ``case act 1 2 … --idempotency-key K`` and the same command
retried as ``case act C-0000001 C-0000002 …`` (or ``01 2``) used different keys, and each
recorded the notes again.  Each case's key now has the case id in full; a key an earlier
release recorded in the typed spelling still answers a retry, but only for the very request it
holds (that case, action, user and role), so that it discloses nothing across cases.
"""

from __future__ import annotations

import pytest


def _notes(run, db: str, case_id: str) -> int:
    events = run("--db", db, "case", "history", case_id, "--json").json["events"]
    return sum(e["action"] == "add_note" for e in events)


@pytest.mark.parametrize("retried", [["C-0000001", "C-0000002"], ["01", "2"], ["c-1", "2"]])
def test_a_retry_spelling_the_cases_otherwise_records_nothing(run, db, retried):
    for name in ("A Person", "B Person"):
        opened = run("--db", db, "--role", "police", "case", "open", "-f", f"name={name}",
                     "-f", "force=MPS", "-e", "2015-01-01")  # fmt: skip
        assert opened.code == 0, opened.err
    first = run("--db", db, "--role", "police", "case", "act", "1", "2", "add_note",
                "-f", "text=seen", "--idempotency-key", "K")  # fmt: skip
    assert first.code == 0, first.err
    again = run("--db", db, "--role", "police", "case", "act", *retried, "add_note",
                "-f", "text=seen", "--idempotency-key", "K")  # fmt: skip
    assert again.code == 0, again.err
    assert [_notes(run, db, c) for c in ("C-0000001", "C-0000002")] == [1, 1]


def _legacy_keys(db: str, keys: dict[str, str]) -> None:
    """Notes recorded as an earlier release recorded ``case act 1 2 … --idempotency-key K``:
    each under ``K/`` and the case id as typed."""
    from contextlib import closing

    from casetracker.services.cases import Casetracker

    with closing(Casetracker(f"sqlite:///{db}", role="police")) as ct:
        for case_id, key in keys.items():
            ct.act(case_id, "add_note", {"text": "seen"}, idempotency_key=key)


@pytest.mark.parametrize("retried", [["1", "2"], ["C-0000001", "c-2"]])
def test_a_key_an_earlier_release_recorded_is_still_a_retry(run, db, retried):
    for name in ("A Person", "B Person"):
        opened = run("--db", db, "--role", "police", "case", "open", "-f", f"name={name}",
                     "-f", "force=MPS", "-e", "2015-01-01")  # fmt: skip
        assert opened.code == 0, opened.err
    _legacy_keys(db, {"C-0000001": "K/1", "C-0000002": "K/2"})
    again = run("--db", db, "--role", "police", "case", "act", "1", "2", "add_note",
                "-f", "text=seen", "--idempotency-key", "K")  # fmt: skip
    assert again.code == 0, again.err
    assert "idempotent retry" in again.out
    assert [_notes(run, db, c) for c in ("C-0000001", "C-0000002")] == [1, 1]


def test_another_cases_key_in_the_old_spelling_is_passed_over(run, db):
    """``K/1`` held by a note on case 3 (a key anyone may give one case) neither refuses case 1
    nor says anything of case 3: case 1's note is recorded under its own key."""
    for name in ("A Person", "B Person", "C Person"):
        opened = run("--db", db, "--role", "police", "case", "open", "-f", f"name={name}",
                     "-f", "force=MPS", "-e", "2015-01-01")  # fmt: skip
        assert opened.code == 0, opened.err
    _legacy_keys(db, {"C-0000003": "K/1"})
    acted = run("--db", db, "--role", "police", "case", "act", "1", "2", "add_note",
                "-f", "text=seen", "--idempotency-key", "K")  # fmt: skip
    assert acted.code == 0, acted.err
    assert "C-0000003" not in acted.out + acted.err and "retry" not in acted.out
    assert [_notes(run, db, c) for c in ("C-0000001", "C-0000002", "C-0000003")] == [1, 1, 1]
