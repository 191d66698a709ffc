"""Importing a custody feed: all or nothing; an error names the line and the column."""

from __future__ import annotations

import csv
import os
import pwd

import pytest

from tests.cli.conftest import snapshot

COLUMNS = (
    "person_ref", "name", "nationality_group", "force", "custody_suite", "arrested_at",
    "offence", "offence_category", "referral_route", "outcome", "outcome_at",
)  # fmt: skip


def _rows(count: int) -> list[dict[str, str]]:
    rows = []
    for i in range(count):
        rows.append(
            {
                "person_ref": f"P{i % (count - 5)}",  # the last five rows repeat earlier people
                "name": f"Imported Person {i} (synthetic)",
                "nationality_group": "eea" if i % 3 else "non_eea",
                "force": "WYP",
                "custody_suite": "Normanton",
                "arrested_at": f"2015-07-{1 + i % 28:02d}T{i % 24:02d}:15",
                "offence": "theft",
                "offence_category": "theft",
                "referral_route": ("ccu", "local_io", "local_ice_office", "none")[i % 4],
                "outcome": "released",
                "outcome_at": f"2015-07-{1 + i % 28:02d}T{i % 24:02d}:55",
            }
        )
    return rows


def _write(path, rows) -> str:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def police_db(run, db) -> str:
    """The user is a police officer of West Yorkshire, whose arrests the feeds hold."""
    assert run("--db", db, "user", "add", "nobody", "--roles", "auditor").code == 0
    me = pwd.getpwuid(os.geteuid()).pw_name
    roles = "admin,police,ccu,immigration_officer,casework,auditor"
    assert run("--db", db, "user", "add", me, "--roles", roles, "--force", "WYP").code == 0
    return db


def test_good_file_imports_verifies_and_counts(run, police_db, tmp_path):
    path = _write(tmp_path / "feed.csv", _rows(60))
    done = run("--db", police_db, "--role", "police", "import", path, "--json")
    assert done.code == 0, done.err
    assert done.json["rows"] == 60 and done.json["cases"] == 55
    assert run("--db", police_db, "verify").code == 0
    report = run("--db", police_db, "report", "referrals", "--year", "2015", "--format", "json")
    wyp = next(r for r in report.json["rows"] if r["force"] == "WYP")
    assert (wyp["arrested"], wyp["ccu"], wyp["local_io"], wyp["not_referred"]) == (60, 15, 15, 15)
    again = run("--db", police_db, "--role", "police", "import", path)
    assert again.code == 1 and "imported before" in again.err


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("force", "XYZ", 1),  # not the officer's force (nor a configured one)
        ("offence_category", "jaywalking", 2),  # not one of the choices
        ("arrested_at", "2015-13-45", 2),  # not a time
        ("referral_route", "pigeon", 2),
        ("nationality_group", "martian", 2),
    ],
)
def test_one_bad_row_among_many_imports_nothing_and_names_it(
    run, police_db, tmp_path, column, value, code
):
    rows = _rows(80)
    rows[40][column] = value  # the 41st data row is line 42 of the file
    path = _write(tmp_path / "feed.csv", rows)
    before = snapshot(police_db)
    result = run("--db", police_db, "--role", "police", "import", path)
    assert result.code == code, result.err
    assert f"line 42, column {column}" in result.err
    assert len(result.err.strip().splitlines()) == 1
    if column == "force":  # refused as `case open` is, and logged so: no case written
        assert run("--db", police_db, "--role", "admin", "case", "history", "C-1").code == 1
    else:
        assert snapshot(police_db) == before


def test_missing_column_and_missing_file(run, police_db, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("person_ref,name\nP1,A Person\n")
    result = run("--db", police_db, "--role", "police", "import", str(path))
    assert result.code == 2 and "line 1, column nationality_group" in result.err
    missing = run("--db", police_db, "--role", "police", "import", str(tmp_path / "none.csv"))
    assert missing.code == 2 and "no such file" in missing.err


def test_a_role_that_may_not_arrest_is_refused(run, police_db, tmp_path):
    path = _write(tmp_path / "feed.csv", _rows(10))
    before = snapshot(police_db)
    result = run("--db", police_db, "--role", "auditor", "import", path)
    assert result.code == 1 and "line 2" in result.err
    assert snapshot(police_db) == before


def test_a_person_arrested_by_two_forces_is_one_person_in_the_totals(run, police_db, tmp_path):
    rows = _rows(12)
    for row in rows[:6]:
        row["person_ref"] = "TRAVELLER"
    rows[3]["force"], rows[3]["custody_suite"] = "MPS", "Croydon"
    rows[3]["referral_route"] = "ccu"
    path = _write(tmp_path / "feed.csv", rows)
    assert run("--db", police_db, "--role", "police", "import", path).code == 0
    people = run("--db", police_db, "report", "referrals", "--year", "2015", "--count", "people",
                 "--format", "json").json  # fmt: skip
    by_force = {r["force"]: r for r in people["rows"]}
    assert (by_force["MPS"]["arrested"], by_force["WYP"]["arrested"]) == (1, 7)
    assert by_force["All forces"]["arrested"] == 7  # the traveller once, not twice
    assert by_force["Outside London"]["arrested"] == 7
    calls = run("--db", police_db, "report", "referrals", "--year", "2015", "--format", "json")
    assert {r["force"]: r["arrested"] for r in calls.json["rows"]}["All forces"] == 12


def test_every_bad_row_is_reported_in_file_order(run, police_db, tmp_path):
    rows = _rows(80)
    rows[10]["referral_route"] = "pigeon"  # line 12
    rows[40]["arrested_at"] = "2015-13-45"  # line 42
    rows[60]["nationality_group"] = "martian"  # line 62
    path = _write(tmp_path / "feed.csv", rows)
    before = snapshot(police_db)
    result = run("--db", police_db, "--role", "police", "import", path)
    assert result.code == 2, result.err
    assert "line 12, column referral_route" in result.err
    assert "line 42, column arrested_at" in result.err
    assert "line 62, column nationality_group" in result.err
    assert result.err.index("line 12") < result.err.index("line 42") < result.err.index("line 62")
    assert snapshot(police_db) == before


def test_errors_past_the_cap_are_counted(run, police_db, tmp_path):
    from casetracker.services.imports import MAX_REPORTED

    rows = _rows(80)
    for row in rows[: MAX_REPORTED + 5]:
        row["referral_route"] = "pigeon"
    path = _write(tmp_path / "feed.csv", rows)
    result = run("--db", police_db, "--role", "police", "import", path)
    assert result.code == 2
    assert "line 2, column referral_route" in result.err
    assert "and 5 more errors" in result.err


def test_an_unclosed_quote_is_blamed_on_the_line_it_opens(run, police_db, tmp_path):
    path = tmp_path / "feed.csv"
    _write(path, _rows(10))
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace("Imported Person", '"Imported Person', 1)  # line 4 of the file
    path.write_text("\n".join(lines) + "\n")
    before = snapshot(police_db)
    result = run("--db", police_db, "--role", "police", "import", str(path))
    assert result.code == 2, result.err
    assert "line 4:" in result.err and "never closed" in result.err
    assert "line 11" not in result.err
    assert snapshot(police_db) == before
