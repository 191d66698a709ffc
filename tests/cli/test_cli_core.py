"""The core commands as a user types them, and every error a user can cause."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import snapshot
from tests.integration.tamper import tamper


def _open(run, db, *extra):
    result = run(
        "--db",
        db,
        "--role",
        "police",
        "case",
        "open",
        "-f",
        "name=Ann Example",
        "-f",
        "nationality=Freedonia",
        "-e",
        "2013-07-16",
        "--json",
        *extra,
    )
    assert result.code == 0, result.err
    return result.json["case_id"]


def test_open_act_show_history_replay_verify(run, db, tmp_path):
    case_id = _open(run, db)
    act = run(
        "--db",
        db,
        "--role",
        "police",
        "case",
        "act",
        case_id,
        "add_note",
        "-f",
        "text=hello",
        "-e",
        "2013-07-17",
    )
    assert act.code == 0 and "event 2" in act.out
    show = run("--db", db, "--role", "police", "case", "show", case_id, "--json")
    assert show.code == 0 and show.json["version"] == 2 and show.json["subject"] is None
    shown = run(
        "--db", db, "--role", "police", "case", "show", case_id, "--reason", "identify", "--json"
    )
    assert shown.json["subject"]["name"] == "Ann Example"
    history = run("--db", db, "case", "history", case_id, "--json")
    assert [e["action"] for e in history.json["events"]] == ["open_case", "add_note"]
    assert history.json["events"][1]["prev_hash"] == history.json["events"][0]["hash"]
    replay = run("--db", db, "replay", case_id, "--as-of", "2013-07-16", "--json")
    assert replay.code == 0 and replay.json["events"] == 1
    later = run("--db", db, "replay", case_id, "--as-of", "2099-01-01", "--json")
    assert later.code == 0 and later.json["events"] == 2  # a later date: as it stands now
    checkpoint = tmp_path / "cp.json"
    assert run("--db", db, "checkpoint", "--out", str(checkpoint)).code == 0
    verify = run("--db", db, "verify", "--checkpoint", str(checkpoint), "--json")
    assert verify.code == 0 and verify.json["ok"]
    assert run("--db", db, "rebuild").code == 0
    log = run("--db", db, "access-log", case_id, "--json")
    assert {"show", "history", "replay"} <= {e["action"] for e in log.json["entries"]}


def test_verify_exits_1_naming_the_event(run, db):
    case_id = _open(run, db)
    tamper(
        f"sqlite:///{db}",
        "UPDATE events SET stamp = 'mallory' || substr(stamp, instr(stamp, char(31)))",
    )
    result = run("--db", db, "verify")
    assert result.code == 1
    assert f"{case_id}: event 1 (position 1)" in result.out and "altered" in result.out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["case", "show", "C-9999999"], 1, "unknown case 'C-9999999'"),
        (["case", "act", "C-0000001", "teleport"], 2, "unknown action 'teleport'"),
        (
            ["case", "act", "C-0000001", "add_note", "-f", "text=x", "-e", "2999-01-01"],
            2,
            "in the future",
        ),
        (
            ["case", "act", "C-0000001", "add_note", "-f", "text=x", "-e", "someday"],
            2,
            "cannot read 'someday'",
        ),
        (["case", "act", "C-0000001", "add_note", "-f", "text"], 2, "must be written name=value"),
        (["case", "act", "C-0000001", "add_note"], 2, "Add a note needs Note (field 'text')"),
        (
            ["case", "act", "C-0000001", "add_note", "-f", "text=x", "--expect-version", "0"],
            1,
            "changed since you loaded it",
        ),
        (["case", "act", "C-0000001", "close_case", "-f", "reason=x"], 1, "police role may not"),
        (["case", "act", "C-0000001", "close_case"], 1, "police role may not"),  # before fields
        (["case", "history", "C-0000001", "--jsn"], 2, "No such option: --jsn"),
        (["report", "referrals"], 2, "Missing option '--year'"),
        (["--as", "someone", "case", "show", "C-0000001"], 1, "only for demo and training"),
        (["--role", "trainer", "case", "show", "C-0000001"], 1, "does not hold the trainer role"),
        (["verify", "--checkpoint", "/nonexistent.json"], 2, "no such file"),
        (["case", "act", "C-0000001", "add_note", "-f", "text=\udcff"], 2, "not valid UTF-8"),
    ],
)
def test_user_errors_are_one_line_and_change_nothing(run, db, args, code, message):
    _open(run, db)
    before = snapshot(db)
    events_before = _rows(db, "events")
    access_before = [r[3] for r in _rows(db, "access_log")]
    result = (
        run("--db", db, "--role", "police", *args)
        if "--as" not in args and "--role" not in args
        else run("--db", db, *args)
    )
    assert result.code == code, (result.out, result.err)
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    if message in REFUSALS:  # every refusal is logged, by design, and nothing else changes
        assert _rows(db, "events") == events_before
        assert [r[3] for r in _rows(db, "access_log")] == [*access_before, "denied"]
    else:
        assert snapshot(db) == before


REFUSALS = ("police role may not", "only for demo and training", "does not hold the trainer role")


def _rows(db: str, table: str) -> list[tuple]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as conn:
        if table == "access_log":
            return conn.execute("SELECT position, user, role, action FROM access_log").fetchall()
        return conn.execute(f"SELECT * FROM {table} ORDER BY position").fetchall()


def test_malformed_checkpoint_file(run, db, tmp_path):
    bad = tmp_path / "cp.json"
    bad.write_text("{not json")
    result = run("--db", db, "verify", "--checkpoint", str(bad))
    assert result.code == 2 and "not valid JSON" in result.err


def test_database_not_ours_is_refused_and_untouched(run, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("shopping list\n" * 100)
    before = other.read_bytes()
    result = run("--db", str(other), "case", "show", "C-0000001")
    assert result.code == 1 and "not a casetracker database" in result.err
    assert other.read_bytes() == before


def test_missing_database_says_how_to_create_one(run, tmp_path):
    result = run("--db", str(tmp_path / "none.db"), "verify")
    assert result.code == 1 and "casetracker init" in result.err
    assert not (tmp_path / "none.db").exists()


def test_idempotent_retry_from_the_command_line(run, db):
    case_id = _open(run, db)
    args = [
        "--db",
        db,
        "--role",
        "police",
        "case",
        "act",
        case_id,
        "add_note",
        "-f",
        "text=x",
        "--idempotency-key",
        "k-1",
        "--json",
    ]
    first, second = run(*args), run(*args)
    assert first.code == second.code == 0
    assert second.json["replayed"] and second.json["events"] == first.json["events"]


def test_locate_prints_paths(run):
    result = run("locate", "--json")
    assert result.code == 0 and json.loads(result.out)["database"].startswith("sqlite:///")


def test_case_ids_may_be_typed_as_numbers_and_malformed_ones_are_usage_errors(run, db):
    case_id = _open(run, db)
    assert (
        run("--db", db, "--role", "police", "case", "show", "1", "--json").json["case_id"]
        == case_id
    )
    bad = run("--db", db, "--role", "police", "case", "show", "nonsense")
    assert bad.code == 2 and "is not a case id" in bad.err


def test_a_blank_reason_does_not_unlock_personal_data(run, db):
    case_id = _open(run, db)
    before = snapshot(db)
    result = run("--db", db, "--role", "police", "case", "show", case_id, "--reason", "   ")
    assert result.code == 2 and "give a reason" in result.err
    assert snapshot(db) == before


def test_acting_needs_a_role_when_the_user_holds_several(run, db):
    case_id = _open(run, db)
    before = snapshot(db)
    result = run("--db", db, "case", "act", case_id, "add_note", "-f", "text=x")
    assert result.code == 2 and "say which you act in with --role" in result.err
    assert snapshot(db) == before


def test_only_auditors_and_admins_export(run, db, tmp_path):
    case_id = _open(run, db)
    out = tmp_path / "b.jsonl"
    refused = run(
        "--db", db, "--role", "police", "export", case_id, "--out", str(out), "--reason", "x"
    )
    assert refused.code == 1 and "may not export" in refused.err and not out.exists()
    done = run(
        "--db", db, "--role", "auditor", "export", case_id, "--out", str(out), "--reason", "x"
    )
    assert done.code == 0 and out.exists()


def test_workflow_commands_and_diagrams(run, db):
    listed = run("workflows", "list", "--json")
    assert listed.code == 0 and "removal" in {w["name"] for w in listed.json["workflows"]}
    shown = run("workflows", "show", "barrier", "--json")
    assert shown.code == 0 and "lodge_claim" in {a["name"] for a in shown.json["actions"]}
    plain = run("workflows", "diagram", "removal")
    assert plain.code == 0 and "stateDiagram-v2" in plain.out and " s_active\n" not in plain.out
    case_id = _open(run, db)
    marked = run("--db", db, "workflows", "diagram", "case", "--case", case_id)
    assert "Class open s_active" in marked.out
    unknown = run("workflows", "diagram", "teleportation")
    assert unknown.code == 2 and "unknown lifecycle" in unknown.err


def test_init_grant_to_is_refused_for_sqlite_and_creates_nothing(run, tmp_path):
    path = tmp_path / "nothing.db"
    result = run("--db", str(path), "init", "--grant-to", "casetracker_app")
    assert result.code == 2 and "--grant-to is for PostgreSQL" in result.err
    assert not path.exists()


@pytest.mark.postgres
def test_init_grant_to_gives_the_application_role_its_privileges(run, pg_url):
    import sqlalchemy as sa

    role = "ct_cli_" + pg_url.rsplit("_", 1)[-1][:8]
    admin = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        missing = run("--db", pg_url, "init", "--grant-to", role + "_nobody")
        assert missing.code == 1 and "cannot grant" in missing.err
        result = run("--db", pg_url, "init", "--grant-to", role)
        assert result.code == 0, result.err
        assert f"granted the application's privileges to {role}" in result.out
        with admin.connect() as conn:
            granted = set(
                conn.execute(
                    sa.text(
                        "SELECT privilege_type FROM information_schema.table_privileges "
                        "WHERE grantee = :r AND table_name = 'events'"
                    ),
                    {"r": role},
                ).scalars()
            )
        assert granted == {"SELECT", "INSERT"}
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
            conn.execute(sa.text(f'REVOKE ALL ON SCHEMA public FROM "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()


def test_a_damaged_file_gives_one_line_not_a_traceback(run, db):
    """Text that is not UTF-8 (only editing the file puts it there): verify names the event,
    and a reader says what the driver could not read."""
    case_id = _open(run, db)
    tamper(
        f"sqlite:///{db}",
        "UPDATE events SET payload = CAST(payload || X'FF' AS TEXT) WHERE seq = 1",
    )
    verified = run("--db", db, "verify")
    assert verified.code == 1 and f"{case_id}: event 1 (position 1)" in verified.out
    shown = run("--db", db, "case", "history", case_id)
    assert shown.code == 1
    assert shown.err.startswith("casetracker: cannot read the database: Could not decode")
    assert len(shown.err.strip().splitlines()) == 1
