"""`casetracker worklist`: the same queues the TUI shows, for scripts (issue 14)."""

from __future__ import annotations

import re

from casetracker.domain.queues import queues_for


def _act(run, db, role: str, *args: str) -> dict:
    result = run("--db", db, "--role", role, "case", "act", *args, "--json")
    assert result.code == 0, result.err
    return result.json


def test_ccu_sees_the_referral_it_must_check(run, db):
    opened = run(
        "--db", db, "--role", "police", "case", "open", "-f", "name=Wendy Example (synthetic)",
        "-f", "force=MPS", "-e", "2016-03-01T09:00", "--json",
    )  # fmt: skip
    assert opened.code == 0, opened.err
    case_id = opened.json["case_id"]
    _act(
        run, db, "police", case_id, "arrest", "-f", "offence=theft", "-f",
        "offence_category=theft", "-f", "force=MPS", "-e", "2016-03-01T10:00",
    )  # fmt: skip
    _act(run, db, "police", case_id, "refer_to_ccu", "-f", "encounter=1", "-e", "2016-03-01T10:30")
    ccu = run("--db", db, "worklist", "--role", "ccu", "--json")
    assert ccu.code == 0, ccu.err
    assert ccu.json["role"] == "ccu"
    assert [q["name"] for q in ccu.json["queues"]] == [q.name for q in queues_for("ccu")]
    checks = next(q for q in ccu.json["queues"] if q["name"] == "status_check")
    assert [i["case_id"] for i in checks["items"]] == [case_id]
    assert checks["items"][0]["item"] == "status_check#1"  # what `case claim` takes
    assert checks["items"][0]["item_label"] == "Status check #1"
    text = run("--db", db, "worklist", "--role", "ccu")
    assert text.code == 0 and case_id in text.out and "Awaiting status check (1)" in text.out
    # A person reads the definitions' labels, not the identifiers (issue 17).
    line = next(x for x in text.out.splitlines() if case_id in x)
    assert "Status check #1  MPS" in line and "Status check #1 awaiting CID check" in line
    assert "status_check#1" not in line and "status check #1" not in line
    # Its deadline is its arrest's, named by which clock runs out, not only when.
    assert checks["items"][0]["deadline_kind"] == "pace_extension"
    assert re.search(r"\[next deadline: extend PACE (in \d|passed \d)[^]]*\]", line), line


def test_a_role_the_user_does_not_hold_is_refused(run, db):
    result = run("--db", db, "worklist", "--role", "trainer")
    assert result.code != 0 and result.err


def test_new_queues_keep_roles_and_force_boundaries(run, db):
    """ACRO results awaited are filed under the force that asked: the Met's police user sees the
    Met's request only, an IO sees both; CCU sees the DVA check an IO asked of it (¶4.31,
    ¶4.37)."""
    opened = run(
        "--db", db, "--role", "police", "case", "open", "-f", "name=Ola Example (synthetic)",
        "-f", "force=MPS", "-e", "2016-03-01T09:00", "--json",
    )  # fmt: skip
    assert opened.code == 0, opened.err
    case_id = opened.json["case_id"]
    _act(
        run, db, "police", case_id, "arrest", "-f", "offence=theft", "-f",
        "offence_category=theft", "-f", "force=MPS", "-e", "2016-03-01T10:00",
    )  # fmt: skip
    _act(
        run, db, "police", case_id, "request_acro_check", "-f", "force=MPS", "-f",
        "country=Synthland", "-e", "2016-03-01T10:10",
    )  # fmt: skip
    _act(
        run, db, "immigration_officer", case_id, "request_immigration_acro_check", "-f",
        "force=WMP", "-f", "country=Synthland", "-e", "2016-03-01T10:20",
    )  # fmt: skip
    _act(run, db, "police", case_id, "record_british_claim", "-e", "2016-03-01T10:30")
    _act(
        run, db, "immigration_officer", case_id, "ask_ccu_for_dva_check", "-f",
        "reasonable_doubt=no documents and an unfamiliar birthplace", "-f",
        "requested_by=IO 7", "-e", "2016-03-01T10:40",
    )  # fmt: skip

    def items(role: str, queue: str) -> list[tuple[str, str]]:
        listed = run("--db", db, "worklist", "--role", role, "--json")
        assert listed.code == 0, listed.err
        found = next(q for q in listed.json["queues"] if q["name"] == queue)
        return [(i["item"], i["force"]) for i in found["items"]]

    assert items("police", "acro_awaited") == [("acro_check#1", "MPS")]
    assert items("immigration_officer", "acro_awaited") == [
        ("acro_check#1", "MPS"),
        ("acro_check#2", "WMP"),
    ]
    assert items("ccu", "dva_requests") == [("dva_check#1", "MPS")]
    listed = run("--db", db, "worklist", "--role", "police", "--json")
    assert "dva_requests" not in [q["name"] for q in listed.json["queues"]]
