"""An event recorded without an idempotency key keeps an empty one (migration 0027): nothing can
retry it, so nothing is made up for it, and any number of such events live beside each other
while a key a command gave is still recorded once, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casetracker.domain.errors import IdempotencyMismatch
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine, police_of


@pytest.fixture
def ct(db_url):
    from casetracker.services.setup import create_database

    create_database(db_url, "live", ("admin", "police"))
    police_of(db_url, "MPS")
    service = Casetracker(db_url, role="police", workflows=core_engine())
    yield service
    service.close()


def _keys(ct: Casetracker) -> list[str]:
    with ct.engine.connect() as conn:
        return list(
            conn.execute(sa.text("SELECT idempotency_key FROM events ORDER BY position")).scalars()
        )


def test_events_without_a_key_keep_an_empty_one_and_a_given_key_is_recorded_once(ct):
    case = ct.open_case({"name": "A Person"}, "2015-06-21").case_id
    for _ in range(3):
        ct.act(case, "add_note", {"text": "served papers"}, "2015-06-21T10:00")
    first = ct.act(case, "add_note", {"text": "keyed"}, "2015-06-21T11:00", idempotency_key="k1")
    again = ct.act(case, "add_note", {"text": "keyed"}, "2015-06-21T11:00", idempotency_key="k1")
    assert again.replayed and again.events == first.events
    assert _keys(ct) == ["", "", "", "", "k1"]
    assert ct.verify().ok


def test_a_given_key_is_unique_in_the_database_itself(ct):
    """The partial unique index still refuses a second row with a key a command gave, whoever
    writes it, and takes any number of empty ones."""
    case = ct.open_case({"name": "A Person"}, "2015-06-21").case_id
    ct.act(case, "add_note", {"text": "keyed"}, "2015-06-21T11:00", idempotency_key="k1")
    with ct.engine.begin() as conn:
        row = (
            conn.execute(sa.text("SELECT * FROM events WHERE idempotency_key = 'k1'"))
            .mappings()
            .one()
        )
    copy = {**row, "position": row["position"] + 100, "seq": row["seq"] + 100}
    columns = ", ".join(copy)
    values = ", ".join(f":{c}" for c in copy)
    with pytest.raises(sa.exc.IntegrityError), ct.engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO events ({columns}) VALUES ({values})"), copy)


def test_a_key_used_by_another_case_is_still_refused(ct):
    first = ct.open_case({"name": "A Person"}, "2015-06-21").case_id
    other = ct.open_case({"name": "Another Person"}, "2015-06-21").case_id
    ct.act(first, "add_note", {"text": "keyed"}, "2015-06-21T11:00", idempotency_key="k1")
    with pytest.raises(IdempotencyMismatch):
        ct.act(other, "add_note", {"text": "keyed"}, "2015-06-21T11:00", idempotency_key="k1")
