"""A time at the edge of the years casetracker takes (1..9999) with an offset that carries it
past them is a malformed request (exit 2, one line, nothing written), not an internal error.

``0001-01-01T00:00+14:00`` is 31 December of year 0 in UTC, ``9999-12-31T23:59-14:00`` is
year 10000: converting either to UTC raised ``OverflowError`` in
``effective_time._instant``, which the CLI reported as a bug (README: hostile input is
refused in one line, never a traceback or an internal error).
"""

from __future__ import annotations

import pytest

from tests.cli.conftest import snapshot

EDGES = ["0001-01-01T00:00+14:00", "9999-12-31T23:59:59-14:00"]


def _opened(run, db) -> str:
    result = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                 "-f", "force=MPS", "-e", "2015-01-01", "--json")  # fmt: skip
    assert result.code == 0, result.err
    return result.json["case_id"]


def _refused_as_usage(result) -> None:
    assert "internal error" not in result.err and "Traceback" not in result.err, result.err
    assert result.code == 2, result.err
    assert len(result.err.strip().splitlines()) == 1, result.err


@pytest.mark.parametrize("moment", EDGES)
@pytest.mark.parametrize(
    "command",
    [
        ("--role", "police", "case", "act", "{case}", "add_note", "-f", "text=x", "-e", "{t}"),
        ("--role", "police", "case", "act", "{case}", "add_note", "-f", "text=x", "-e",
         "0001-01..{t}"),
        ("--role", "police", "case", "open", "-f", "name=B", "-f", "force=MPS", "-e", "{t}"),
        ("replay", "{case}", "--as-of", "{t}"),
        ("replay", "{case}", "--recorded-as-of", "{t}"),
    ],
    ids=["effective", "effective-range", "open", "as-of", "recorded-as-of"],
)  # fmt: skip
def test_an_offset_past_the_years_is_a_usage_error(run, db, moment, command):
    case_id = _opened(run, db)
    before = snapshot(db)
    args = [a.format(case=case_id, t=moment) for a in command]
    _refused_as_usage(run("--db", db, *args))
    assert snapshot(db) == before


@pytest.mark.parametrize("moment", [*EDGES, "9999-12-31", "9999-12"])
def test_an_imported_arrest_past_the_years_is_a_usage_error(run, db, tmp_path, moment):
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "person_ref,name,nationality_group,force,arrested_at,offence,offence_category,"
        f"referral_route\nA-1,Ann Example,non_eea,MPS,{moment},theft,theft,none\n",
        encoding="utf-8",
    )
    before = snapshot(db)
    imported = run("--db", db, "--role", "police", "import", str(feed))
    _refused_as_usage(imported)
    assert "line 2, column arrested_at" in imported.err
    assert snapshot(db) == before
