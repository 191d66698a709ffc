"""Nobody acts as someone else by setting an environment variable (SQLite: the effective uid's
account; PostgreSQL: ``session_user``)."""

from __future__ import annotations

import os
import pwd

import pytest
import sqlalchemy as sa

from casetracker.adapters.users import login_name, os_account

ME = pwd.getpwuid(os.geteuid()).pw_name


@pytest.mark.parametrize("variable", ["LOGNAME", "USER", "LNAME", "USERNAME"])
def test_the_environment_does_not_say_who_acts(db, run, monkeypatch, variable):
    monkeypatch.setenv(variable, "pc.jones")
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A", "-e", "2015-01-01")
    assert opened.code == 0, opened.err
    history = run("--db", db, "case", "history", "C-0000001", "--json")
    assert {e["actor_user"] for e in history.json["events"]} == {ME}


def test_a_spoofed_admin_cannot_register_users(db, run, monkeypatch):
    """``USER=root casetracker user add …`` from another account: the account is what counts."""
    run("--db", db, "user", "add", "clerk", "--roles", "police")
    other = _uid_of_another_account()
    monkeypatch.setattr(os, "geteuid", lambda: other)
    monkeypatch.setenv("USER", ME)
    monkeypatch.setenv("LOGNAME", ME)
    result = run("--db", db, "user", "add", "nobody", "--roles", "admin,auditor")
    assert result.code == 1
    assert "not registered" in result.err
    users = run("--db", db, "user", "list", "--json")
    assert "nobody" not in users.out


def _uid_of_another_account() -> int:
    for entry in pwd.getpwall():
        if entry.pw_uid != os.geteuid():
            return entry.pw_uid
    pytest.skip("this machine has only one account")


def test_an_account_without_a_name_is_refused(monkeypatch):
    from casetracker.domain.errors import NotPermitted

    used = {e.pw_uid for e in pwd.getpwall()}
    monkeypatch.setattr(os, "geteuid", lambda: max(used) + 1)
    with pytest.raises(NotPermitted, match="no account name"):
        os_account()


@pytest.mark.postgres
def test_postgresql_names_the_session_user_not_the_current_role(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            session = conn.execute(sa.text("SELECT session_user")).scalar()
            conn.execute(sa.text("CREATE ROLE ct_someone_else NOLOGIN"))
            try:
                conn.execute(sa.text("SET ROLE ct_someone_else"))
                assert login_name(conn) == session
            finally:
                conn.execute(sa.text("RESET ROLE"))
                conn.rollback()
    finally:
        engine.dispose()
