"""Text that ``str.isdigit`` calls digits and ``int`` cannot read (superscripts such as ``²``):
a month's year (``-e 'December ²'``), a worklist item's number (``--item 'Encounter #²'``) and
the TUI's case id, report year and "All cases" filter had been passed to ``int`` and raised, an
internal error on the command line and the TUI stopped with a traceback (its tests:
tests/tui/test_digits_not_decimal.py)."""

from __future__ import annotations

from tests.cli.conftest import snapshot
from tests.helpers import arrested_in_custody


def test_a_month_of_a_superscript_year_is_a_usage_error(run, db):
    case_id = arrested_in_custody(run, db)
    before = snapshot(db)
    refused = run(
        "--db", db, "--role", "police", "case", "act", case_id, "add_note", "-f", "text=x",
        "-e", "December ²",
    )  # fmt: skip
    assert refused.code == 2 and "cannot read 'December ²' as a time" in refused.err
    assert snapshot(db) == before


def test_an_item_of_a_superscript_number_is_refused_in_one_line(run, db):
    case_id = arrested_in_custody(run, db)
    before = snapshot(db)
    refused = run(
        "--db", db, "--role", "police", "case", "claim", case_id, "--queue", "custody",
        "--item", "Encounter #²",
    )  # fmt: skip
    assert refused.code == 1 and len(refused.err.splitlines()) == 1, refused.err
    assert "is not in the queue custody" in refused.err
    assert snapshot(db) == before
