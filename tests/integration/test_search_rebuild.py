"""``casetracker rebuild`` rebuilds what search reads (issue 16 item 4), on SQLite and
PostgreSQL: the subject blind index (``subject_search``) from the subject records, and the
worklist's absconder queue from the log; a damaged index comes back row for row.
"""

from __future__ import annotations

import sqlalchemy as sa

from casetracker.adapters import subject_search
from casetracker.adapters.case_search import ABSCONDER_QUEUE, Criteria
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.adapters.tables import SUBJECT_SEARCH, WORKLIST
from casetracker.services import search
from casetracker.services.cases import Casetracker
from casetracker.services.registry import workflow_engine
from tests.helpers import new_service

ZOE = {
    "name": "Zoë O'Brien (synthetic)",
    "date_of_birth": "1990-01-02",
    "nationality": "Freedonia",
    "identifiers": ["PNC 12/345X"],
    "force": "MPS",
}
ALEX = {"name": "Alex Example (synthetic)", "date_of_birth": "1985-05-05", "force": "MPS"}
SAM = {"name": "Sam Erased (synthetic)", "date_of_birth": "1970-07-07", "force": "MPS"}


def _index(ct: Casetracker) -> set[tuple[str, str]]:
    with read_transaction(ct.engine) as conn:
        return {(t, c) for t, c in conn.execute(sa.select(SUBJECT_SEARCH))}


def _found(ct: Casetracker, criteria: Criteria) -> list[str]:
    return [f.case_id for f in search.search(ct, criteria, "rebuild check (test)")]


def test_rebuild_restores_a_damaged_search_index_row_for_row(db_url):
    ct = new_service(db_url, role="police", workflows=workflow_engine())
    zoe = ct.open_case(ZOE, "2016-01-01").case_id
    alex = ct.open_case(ALEX, "2016-01-02").case_id
    sam = ct.open_case(SAM, "2016-01-03").case_id
    admin = Casetracker(ct.url, role="admin", workflows=ct.flow)
    admin.act(sam, "erase_subject", {"legal_basis": "request (synthetic)"})
    io = Casetracker(ct.url, role="immigration_officer", workflows=ct.flow)
    for action, day in (
        ("issue_reporting_directions", "10"),
        ("record_missed_reporting", "20"),
        ("list_as_absconder", "25"),
    ):
        io.act(alex, action, {}, f"2016-01-{day}")
    by_name = Criteria(person=search.person_terms(name="zoe obrien"))
    by_pnc = Criteria(person=search.person_terms(identifier="PNC 12/345X"))
    absconders = Criteria(absconder=True)
    intact = _index(ct)
    assert _found(ct, by_name) == [zoe] and _found(ct, absconders) == [alex]
    assert not any(c == sam for _, c in intact)
    key = bytes.fromhex("00" * 32)
    with write_transaction(ct.engine) as conn:
        conn.execute(SUBJECT_SEARCH.delete().where(SUBJECT_SEARCH.c.case_id == zoe))
        conn.execute(
            SUBJECT_SEARCH.insert(),
            [  # a token under another key, an erased person's, a case that does not exist
                {"token": subject_search.token(key, "name_word", "zoe"), "case_id": alex},
                {"token": subject_search.token(key, "dob", "1970-07-07"), "case_id": sam},
                {"token": "0" * 64, "case_id": "C-9999999"},
            ],
        )
        conn.execute(WORKLIST.delete().where(WORKLIST.c.queue == ABSCONDER_QUEUE))
    assert _found(ct, by_name) == [] and _found(ct, by_pnc) == []
    assert _found(ct, absconders) == []
    assert admin.rebuild() == 3
    assert _index(ct) == intact
    assert _found(ct, by_name) == [zoe] and _found(ct, by_pnc) == [zoe]
    assert _found(ct, absconders) == [alex]
    assert subject_search.rebuild(ct.engine) == 0  # an intact index is only read
    for service in (io, admin, ct):
        service.close()
