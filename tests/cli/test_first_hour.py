"""What a new user tripped over in their first hour (issue 17's command line), as they type it."""

from __future__ import annotations

import json

from tests.cli.conftest import snapshot
from tests.cli.test_cli_core import _open


def test_locate_honours_db(run, tmp_path):
    path = tmp_path / "elsewhere.db"
    for argv in (["--db", str(path), "locate"], ["locate", "--db", str(path)]):
        result = run(*argv, "--json")
        assert result.code == 0
        assert json.loads(result.out)["database"] == f"sqlite:///{path}"


def test_show_needs_a_role_exactly_when_act_does(run, db):
    case_id = _open(run, db)
    before = snapshot(db)
    for argv in (["case", "show", case_id], ["case", "act", case_id, "add_note", "-f", "text=x"]):
        result = run("--db", db, *argv)
        assert result.code == 2, argv
        assert result.err.count("\n") == 1 and "say which you act in with --role" in result.err
    assert snapshot(db) == before
    assert run("--db", db, "--role", "ccu", "case", "show", case_id).code == 0


def test_show_and_act_need_no_role_from_a_user_holding_one(run, tmp_path):
    db = str(tmp_path / "one-role.db")
    assert run("--db", db, "init", "--roles", "ccu").code == 0
    opened = run("--db", db, "case", "open", "-f", "name=Ann Example", "--json")
    assert opened.code == 0, opened.err
    case_id = opened.json["case_id"]
    assert run("--db", db, "case", "show", case_id).code == 0
    assert run("--db", db, "case", "act", case_id, "add_note", "-f", "text=x").code == 0


def test_export_takes_a_case_number(run, db, tmp_path):
    case_id = _open(run, db)
    out = tmp_path / "b.jsonl"
    args = ("--db", db, "--role", "auditor", "export", "1", "--out", str(out), "--reason", "x")
    result = run(*args, "--json")
    assert result.code == 0, result.err
    first = json.loads(out.read_text().splitlines()[1])
    assert first["case_id"] == case_id


def test_export_of_a_malformed_case_id_is_one_line_and_writes_nothing(run, db, tmp_path):
    _open(run, db)
    out = tmp_path / "b.jsonl"
    before = snapshot(db)
    args = ("--db", db, "--role", "auditor", "export", "one", "--out", str(out), "--reason", "x")
    result = run(*args)
    assert result.code == 2 and result.err.count("\n") == 1 and "is not a case id" in result.err
    assert not out.exists() and snapshot(db) == before


def test_serve_refuses_a_live_database_without_allow_live(run, db):
    before = snapshot(db)
    result = run("--db", db, "serve", "--port", "1")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "no login of its own" in result.err and "--allow-live" in result.err
    assert snapshot(db) == before


def test_serve_refuses_a_missing_database_in_one_line(run, tmp_path):
    result = run("--db", str(tmp_path / "none.db"), "serve")
    assert result.code == 1 and result.err.count("\n") == 1 and "no database at" in result.err
    assert not (tmp_path / "none.db").exists()
