"""What `replay`, `case timeline` and `case history` say of a case: the id as every screen writes
it, however it was typed (``1``, ``c-1``), and a count that reads right for one."""

from __future__ import annotations

from tests.helpers import arrested_in_custody


def test_a_case_typed_as_a_number_is_echoed_by_its_id(run, db):
    case_id = arrested_in_custody(run, db)
    number = str(int(case_id[2:]))
    replay = run("--db", db, "--role", "police", "replay", number)
    assert replay.code == 0, replay.err
    assert replay.out.startswith(f"{case_id}: 2 events\n"), replay.out
    timeline = run("--db", db, "--role", "police", "case", "timeline", f"c-{number}")
    assert timeline.out.startswith(f"{case_id}: 2 entries in effective-time order"), timeline.out
    history = run("--db", db, "--role", "police", "case", "history", number, "--json")
    assert history.json["case_id"] == case_id


def test_one_event_is_one_event(run, db):
    case_id = arrested_in_custody(run, db)
    replay = run("--db", db, "--role", "police", "replay", case_id, "--as-of", "2016-03-01T09:30")
    assert replay.out.startswith(f"{case_id}: 1 event\n"), replay.out


def test_a_recorded_moment_not_read_suggests_moments(run, db):
    """--recorded-as-of reads the record as it stood at one moment: its error had offered a
    month and a range (the forms of an effective time), which are periods."""
    case_id = arrested_in_custody(run, db)
    bad = run("--db", db, "--role", "police", "replay", case_id, "--recorded-as-of", "bad")
    assert bad.code == 2
    assert "cannot read 'bad' as a moment: use a time, 2016-06-24T09:30, or a day" in bad.err
    assert ".." not in bad.err and "2010-12" not in bad.err
    as_of = run("--db", db, "--role", "police", "replay", case_id, "--as-of", "bad")
    assert as_of.code == 2 and "or a range such as" in as_of.err  # an effective time may be one


def test_case_show_says_when_it_opened_and_names_the_details(run, db):
    """`case show` had said "opened" of the day the case was typed in while the TUI said the day
    its first event happened, and printed ``identifiers: ['custody:X']`` and ``date_of_birth``."""
    opened = run(
        "--db", db, "--role", "police", "case", "open", "-f", "name=A Person", "-f",
        "date_of_birth=1980-01-02", "-f", "identifiers=custody:SAMPLE-002", "-f", "force=MPS",
        "-e", "2013-07-16", "--json",
    )  # fmt: skip
    assert opened.code == 0, opened.err
    case_id = opened.json["case_id"]
    shown = run("--db", db, "--role", "police", "case", "show", case_id, "--reason", "a check")
    assert shown.code == 0, shown.err
    head = shown.out.splitlines()[0]
    assert f"case {case_id}  version 1  opened 2013-07-16 (on record since " in head, head
    assert "  identifiers: custody:SAMPLE-002" in shown.out, shown.out
    assert "  date of birth: 1980-01-02" in shown.out and "date_of_birth" not in shown.out
    found = run("--db", db, "--role", "police", "case", "search", "--reason", "a check",
                "--name", "Person")  # fmt: skip
    assert found.code == 0, found.err
    assert f"{case_id}  opened on record " in found.out, found.out
