"""The audit screen's chain line: one case walked as ``verify`` walks it, event by event."""

from __future__ import annotations

from casetracker.services.case_integrity import verify_case
from tests.helpers import new_service
from tests.integration.tamper import rows, tamper


def _case_with_notes(db_url: str):
    ct = new_service(db_url)
    case_id = ct.open_case({"name": "Person"}, "2014-01-01").case_id
    other = ct.open_case({"name": "Other"}, "2014-01-02").case_id
    for n in range(3):
        ct.act(case_id, "add_note", {"text": f"note {n}"}, f"2014-02-0{n + 1}")
    return ct, case_id, other


def test_an_intact_case_verifies_through_every_event(db_url):
    ct, case_id, _ = _case_with_notes(db_url)
    try:
        check = verify_case(ct, case_id)
        assert check.ok and check.damaged == []
        assert all(check.verifies_through(seq) for seq in range(1, 5))
    finally:
        ct.close()


def test_an_altered_event_breaks_the_chain_from_it_on_and_only_in_its_case(db_url):
    ct, case_id, other = _case_with_notes(db_url)
    try:
        ((position,),) = rows(
            db_url, f"SELECT position FROM events WHERE case_id = '{case_id}' AND seq = 3"
        )
        tamper(
            db_url,
            "UPDATE events SET payload = replace(payload, 'fields', 'fieldz') WHERE position = :p",
            params=[{"p": position}],
        )
        check = verify_case(ct, case_id.removeprefix("C-").lstrip("0"))  # any form of the id
        assert not check.ok
        assert [check.verifies_through(seq) for seq in range(1, 5)] == [True, True, False, False]
        assert [(d.case_id, d.seq) for d in check.damaged] == [(case_id, 3)]
        assert "altered" in check.damaged[0].problem
        assert verify_case(ct, other).ok
        assert (case_id, 3) in {(d.case_id, d.seq) for d in ct.verify().damaged}  # as verify
    finally:
        ct.close()
