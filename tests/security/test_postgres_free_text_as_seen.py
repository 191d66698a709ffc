"""On PostgreSQL a note's free text beside a kept salt is queued without waiting for its outcome
(migration 0024): ``casetracker_subject_as_seen`` raises instead, the transaction fails at its
commit, and the service does the action once more reading the record.  These check the
function's answers, that the failed attempt left nothing behind and logged no refusal, and that
the second attempt answers as a service that had kept nothing would (test_erasure_kept_view
checks the answers on both backends)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from casetracker.adapters import subjects
from casetracker.adapters.database import make_engine
from casetracker.domain.errors import Refused
from casetracker.integrity.personal_digests import digest
from tests.helpers import noted_case
from tests.integration.tamper import erase_behind, resalt_behind, rows, salt_of

pytestmark = pytest.mark.postgres

MARKER = "Ottoline-Brackenbury-2291"


def _as_seen(url: str, case_id: str, salt: str) -> str:
    """What the function answers: "true", ``NOT_AS_SEEN`` if it raised that, or the error."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            try:
                found = conn.execute(
                    sa.text("SELECT casetracker_subject_as_seen(:case, :salt)"),
                    {"case": case_id, "salt": salt},
                ).scalar_one()
            except sa.exc.DBAPIError as exc:
                return subjects.NOT_AS_SEEN if subjects.not_as_seen(exc) else str(exc)
    finally:
        engine.dispose()
    return str(found).lower()


def test_the_function_raises_unless_the_record_has_the_salt_and_is_not_erased(pg_url):
    ct, case_id = noted_case(pg_url)
    ct.close()
    salt = salt_of(pg_url, case_id)
    assert _as_seen(pg_url, case_id, salt) == "true"
    assert _as_seen(pg_url, case_id, "cd" * 32) == subjects.NOT_AS_SEEN
    assert _as_seen(pg_url, "NO-SUCH-CASE", salt) == subjects.NOT_AS_SEEN
    erase_behind(pg_url, case_id)
    assert _as_seen(pg_url, case_id, salt) == subjects.NOT_AS_SEEN


def _denials(url: str) -> list[str]:
    return [r[0] for r in rows(url, "SELECT detail FROM access_log WHERE action = 'denied'")]


def test_a_salt_changed_behind_the_view_is_done_again_and_leaves_one_event(pg_url, monkeypatch):
    ct, case_id = noted_case(pg_url)
    salt = "ef" * 32
    resalt_behind(pg_url, case_id, salt)
    found: list[bool] = []
    asked = subjects.not_as_seen
    monkeypatch.setattr(subjects, "not_as_seen", lambda exc: found.append(asked(exc)) or found[-1])
    result = ct.act(case_id, "add_note", {"text": MARKER}, "2014-01-04")
    ct.close()
    assert found == [True]  # the queued insert failed the first attempt, at its commit
    assert [e.seq for e in result.events] == [3]
    assert rows(pg_url, "SELECT count(*) FROM events")[0][0] == 3
    values = rows(pg_url, f"SELECT seq FROM subject_values WHERE case_id = '{case_id}'")
    assert sorted(v[0] for v in values) == [2, 3]  # the failed attempt's row rolled back
    (payload,) = rows(pg_url, "SELECT payload FROM events WHERE seq = 3")[0]
    assert json.loads(payload)["personal"] == {"text@3": digest(salt, "text@3", MARKER)}
    assert _denials(pg_url) == []  # not a refusal: nothing to log


def test_an_erased_record_is_refused_as_before_and_the_refusal_is_not_the_databases(pg_url):
    ct, case_id = noted_case(pg_url)
    erase_behind(pg_url, case_id)
    with pytest.raises(Refused) as refused:
        ct.act(case_id, "add_note", {"text": MARKER}, "2014-01-04")
    assert str(refused.value) == (
        f"the personal data of case {case_id} was erased on 2014-01-03T00:00:00Z"
    )
    # the service still works on the same kept connection
    other = ct.open_case({"name": "Another Person"}, "2014-01-05").case_id
    ct.act(other, "add_note", {"text": "fine"}, "2014-01-06")
    ct.close()
    assert rows(pg_url, f"SELECT count(*) FROM events WHERE case_id = '{case_id}'")[0][0] == 2
    assert not any(MARKER in str(r) for r in rows(pg_url, "SELECT * FROM subject_values"))
    assert _denials(pg_url) == []  # as before: this refusal was never an access-log denial
