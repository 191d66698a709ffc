"""The command line of signed tree heads: keys, checkpoint --sign, proof consistency, and
verify with --key, --consistency and --bundle; every user error one line, exit non-zero,
nothing written."""

from __future__ import annotations

import json
import os
import stat

import pytest


@pytest.fixture(autouse=True)
def _own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _note(run, db: str, n: int) -> None:
    opened = run(
        "--db", db, "--role", "police", "case", "open", "-f", "name=P", "-e", "2014-01-01",
        "--json",
    )  # fmt: skip
    assert opened.code == 0, opened.err
    case_id = opened.json["case_id"]
    for i in range(n):
        noted = run(
            "--db", db, "--role", "police", "case", "act", case_id, "add_note", "-f", f"text=n{i}",
            "-e", "2014-01-02",
        )  # fmt: skip
        assert noted.code == 0, noted.err


def test_keys_checkpoint_proof_and_verify(run, db, tmp_path):
    made = run("keys", "generate", "--json")
    assert made.code == 0, made.err
    private, public = made.json["private_key"], made.json["public_key"]
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    located = run("locate", "--json").json
    assert (located["signing_key"], located["public_key"]) == (private, public)
    again = run("keys", "generate")
    assert again.code != 0 and "already exists" in again.err and len(again.err.splitlines()) == 1

    _note(run, db, 3)
    old = tmp_path / "old.json"
    assert run("--db", db, "checkpoint", "--sign", "--out", str(old)).code == 0
    assert json.loads(old.read_text())["signature"]
    _note(run, db, 20)
    new = tmp_path / "new.json"
    assert run("--db", db, "checkpoint", "--sign", "--out", str(new)).code == 0
    checked = run("--db", db, "verify", "--checkpoint", str(old), "--key", public)
    assert checked.code == 0, checked.out
    assert "checkpoint signature checked" in checked.out

    proof = tmp_path / "proof.json"
    assert (
        run("--db", db, "proof", "consistency", str(old), str(new), "--out", str(proof)).code == 0
    )
    offline = run("verify", "--consistency", str(old), str(new), str(proof), "--key", public)
    assert offline.code == 0, offline.out
    assert "extends" in offline.out
    backwards = run("verify", "--consistency", str(new), str(old), str(proof), "--key", public)
    assert backwards.code == 1 and "NOT shown" in backwards.out
    unkeyed = run("verify", "--consistency", str(old), str(new), str(proof))
    assert unkeyed.code == 0 and "signatures not checked" in unkeyed.out


def test_user_errors_are_one_line_and_change_nothing(run, db, tmp_path):
    before = run("--db", db, "checkpoint").out
    unsigned = run("--db", db, "checkpoint", "--sign")
    assert unsigned.code != 0 and "keys generate" in unsigned.err
    assert len(unsigned.err.strip().splitlines()) == 1
    (tmp_path / "junk.pub").write_text("junk")
    bad_key = run("--db", db, "verify", "--key", str(tmp_path / "junk.pub"))
    assert bad_key.code != 0 and "not a public key" in bad_key.err
    head = tmp_path / "head.json"
    head.write_text(before)
    reversed_ = run("--db", db, "proof", "consistency", str(head), str(tmp_path / "missing.json"))
    assert reversed_.code != 0 and "no such file" in reversed_.err
    other = dict(json.loads(before), database_id="another")
    (tmp_path / "other.json").write_text(json.dumps(other))
    foreign = run("--db", db, "proof", "consistency", str(tmp_path / "other.json"), str(head))
    assert foreign.code != 0 and "another database" in foreign.err
    assert run("--db", db, "checkpoint").out.split('"created"')[0] == before.split('"created"')[0]
