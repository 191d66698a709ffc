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
