"""An idempotency key replays only the same request, and every refusal is in the access log."""

from __future__ import annotations

import json
import os
import pwd

import pytest


def _denials(run, db) -> list[dict]:
    log = run("--db", db, "--role", "auditor", "access-log", "--limit", "1000", "--json")
    assert log.code == 0, log.err
    return [
        {**e, "detail": json.loads(e["detail"])}
        for e in log.json["entries"]
        if e["action"] == "denied"
    ]


def _open(run, db, name="A Person") -> str:
    opened = run("--db", db, "--role", "police", "case", "open", "-f", f"name={name}", "-e",
                 "2015-01-01", "--json")  # fmt: skip
    assert opened.code == 0, opened.err
    return opened.json["case_id"]


@pytest.fixture
def noted(db, run):
    """A case with a police note recorded under the key ``k1``."""
    first = _open(run, db)
    note = run("--db", db, "--role", "police", "case", "act", first, "add_note",
               "-f", "text=the secret note", "--idempotency-key", "k1")  # fmt: skip
    assert note.code == 0, note.err
    return first, _open(run, db, "Another Person")


def test_a_key_replays_the_same_request(db, run, noted):
    first, _ = noted
    again = run("--db", db, "--role", "police", "case", "act", first, "add_note",
                "-f", "text=the secret note", "--idempotency-key", "k1", "--json")  # fmt: skip
    assert again.code == 0, again.err
    log = run("--db", db, "--role", "auditor", "access-log", first, "--json")
    assert [e["action"] for e in log.json["entries"]][-1] == "retry"  # a replay is a read


@pytest.mark.parametrize(
    ("role", "which"),
    [("police", "other"), ("ccu", "first"), ("auditor", "first")],
    ids=["another-case", "another-role-that-may-act", "a-role-that-may-not-act"],
)
def test_a_key_from_another_request_discloses_nothing(db, run, noted, role, which):
    first, other = noted
    case = first if which == "first" else other
    result = run("--db", db, "--role", role, "case", "act", case, "add_note",
                 "-f", "text=x", "--idempotency-key", "k1", "--json")  # fmt: skip
    assert result.code == 1
    assert "secret" not in result.out + result.err
    assert "already used for another request" in result.err
    if which == "other":
        assert first not in result.out + result.err
    assert any("idempotency key" in " ".join(d["detail"]["reasons"]) for d in _denials(run, db))


def test_a_role_not_held_is_a_logged_refusal(db, run):
    result = run("--db", db, "--role", "trainer", "case", "history", "C-0000001")
    assert result.code == 1
    assert any(d["detail"]["attempted"] == "act" and d["role"] == "trainer"
               for d in _denials(run, db))  # fmt: skip


def test_as_on_a_live_database_is_a_logged_refusal(db, run):
    result = run("--db", db, "--as", "pc.jones", "--role", "police", "case", "history", "C-0000001")
    assert result.code == 1
    assert any(d["detail"]["attempted"] == "act as pc.jones" for d in _denials(run, db))


def test_a_non_admin_adding_a_user_is_a_logged_refusal(db, run):
    result = run("--db", db, "--role", "police", "user", "add", "x", "--roles", "admin")
    assert result.code == 1
    assert any(d["detail"]["attempted"] == "manage users" for d in _denials(run, db))
    assert "x" not in {
        u["name"] for u in json.loads(run("--db", db, "user", "list", "--json").out)["users"]
    }


def test_an_unregistered_account_is_a_logged_refusal(db, run, monkeypatch):
    me = os.geteuid()
    other = next((e for e in pwd.getpwall() if e.pw_uid != me), None)
    if other is None:
        pytest.skip("this machine has only one account")
    monkeypatch.setattr(os, "geteuid", lambda: other.pw_uid)
    result = run("--db", db, "case", "history", "C-0000001")
    assert result.code == 1
    monkeypatch.setattr(os, "geteuid", lambda: me)
    assert any(d["user"] == other.pw_name for d in _denials(run, db))
