"""No member can test a guess about another force's person against the blind search index, or
plant index rows that make openings fail (migration 0034).

The index holds ``HMAC(search key, term)`` per case, under row-level security; the key is in
``meta``, which every member reads.  Through psql, as a real non-superuser member login, a
police officer of one force could make the token of any guess (a name word, a date of birth, a
reference) and learn whether another force's case has it: a unique violation on inserting it
beside that case, or "Rows Removed by Filter" in ``EXPLAIN ANALYZE``; and a row typed in beside
a case id not yet allocated made the opening of any person with that term fail when the id came.
"""

from __future__ import annotations

import psycopg
import pytest

from casetracker.adapters import subject_search
from casetracker.services import search
from tests.security.test_postgres_forces import (  # noqa: F401 - forces is the fixture
    REFUSED,
    Force,
    _case_of,
    forces,
)

pytestmark = pytest.mark.postgres


def _token(forces: Force, login: str, word: str) -> str:  # noqa: F811
    """The token of a name word, as any member can make it."""
    with forces.psql(login) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'search_key'").fetchone()
    assert row is not None
    return subject_search.token(bytes.fromhex(row[0]), "name_word", word)


def _answer(forces: Force, login: str, statement: str, params: tuple) -> str:  # noqa: F811
    """What the database tells ``login`` of ``statement`` (rolled back), the tokens left out."""
    with forces.psql(login) as conn:
        conn.execute("SET enable_seqscan = off")
        try:
            told = "\n".join(str(row[0]) for row in conn.execute(statement, params))
        except psycopg.Error as error:
            told = f"{type(error).__name__}: {error}"
        conn.rollback()
    for param in params:
        told = told.replace(str(param), "...")
    return told


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO subject_search (token, case_id) VALUES (%s, %s) RETURNING 'inserted'",
        "INSERT INTO subject_search (token, case_id) VALUES (%s, %s) ON CONFLICT DO NOTHING "
        "RETURNING 'inserted'",
        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
        "SELECT 1 FROM subject_search WHERE token = %s AND case_id = %s",
        "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
        "SELECT 1 FROM subject_search WHERE token = %s AND case_id <> %s",
    ],
    ids=["unique-violation", "on-conflict", "explain-the-case", "explain-the-count"],
)
def test_an_officer_cannot_test_a_guess_about_another_forces_person(
    forces: Force,  # noqa: F811
    statement: str,
) -> None:
    mps = _case_of(forces, forces.mps)  # Sam Synthetic, a Met case
    told = {
        word: _answer(forces, forces.wmp, statement, (_token(forces, forces.wmp, word), mps))
        for word in ("synthetic", "nobody")
    }
    assert told["synthetic"] == told["nobody"], "the answer told a true guess from a false one"
    assert "inserted" not in told["nobody"]


def test_no_member_can_plant_an_index_row_for_a_case_not_yet_opened(forces: Force) -> None:  # noqa: F811
    _case_of(forces, forces.mps)  # C-0000001: the next case will be C-0000002
    planted = (_token(forces, forces.mps, "new"), "C-0000002")
    with pytest.raises(REFUSED, match="has no event"), forces.psql(forces.mps) as conn:
        conn.execute("INSERT INTO subject_search (token, case_id) VALUES (%s, %s)", planted)
    officer = forces.service(forces.wmp, "police")
    opened = officer.open_case({"name": "New Person"}, "2015-06-01T10:00").case_id
    officer.close()
    assert opened == planted[1]


def test_search_and_its_rebuild_still_work_for_each_login(forces: Force) -> None:  # noqa: F811
    mps = _case_of(forces, forces.mps)
    _case_of(forces, forces.wmp)  # another Sam Synthetic, of West Midlands

    def found(login: str, role: str) -> list[str]:
        ct = forces.service(login, role)
        criteria = search.criteria_from(ct, name="sam synthetic")
        cases = [f.case_id for f in search.search(ct, criteria, "test")]
        ct.close()
        return cases

    assert found(forces.mps, "police") == [mps]
    assert len(found(forces.home_office, "casework")) == 2
    with forces.psql(forces.home_office) as conn:
        conn.execute("DELETE FROM subject_search WHERE case_id = %s", (mps,))
    assert found(forces.mps, "police") == []
    clerk = forces.service(forces.home_office, "casework")
    assert subject_search.rebuild(clerk.engine) == 2  # its two name words
    assert subject_search.rebuild(clerk.engine) == 0
    clerk.close()
    assert found(forces.mps, "police") == [mps]
