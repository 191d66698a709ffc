"""A proposal is decided once even by two sessions at the same time (migration 0035).

The four-eyes guard (migration 0015) refuses an ``authorise_proposal`` of a proposal already
decided by looking for the decision in ``events``.  A transaction does not see another's
uncommitted rows, and a member typing into psql does not take the writers' advisory lock the
service takes, so two sessions of one real non-superuser member login, each authorising the same
proposal and recording the detention after it, both committed: one proposal, two detentions
(``verify`` found the second authorisation, after the fact).  Found by review.
"""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from casetracker.integrity.encoding import canonical_json, stored_hash
from casetracker.services.cases import Casetracker
from tests.security.test_postgres_four_eyes import _proposed
from tests.security.test_postgres_privileges import (  # noqa: F401 - logins is the fixture
    REFUSED,
    Logins,
    logins,
)

pytestmark = pytest.mark.postgres
_INSERT = (
    "INSERT INTO events (position, case_id, seq, step, stamp, idempotency_key, payload, "
    "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _decided_twice(logins: Logins, case_id: str) -> list[tuple]:  # noqa: F811
    """The authorisation of the case's proposal 1 and the detention after it, twice over: the
    events of two transactions, each at its own place at the end of the log."""
    with logins.psql(logins.admin) as conn:
        position, prev = conn.execute(
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1"
        ).fetchone()
        seq, stamp = conn.execute(
            "SELECT seq, stamp FROM events WHERE case_id = %s ORDER BY seq DESC LIMIT 1",
            (case_id,),
        ).fetchone()
    effective, recorded = stamp.split(chr(31))[2:]
    steps = [
        ("authorisation", 1, "authorise_proposal"),
        ("detention", 0, "detain_under_immigration_powers"),
    ] * 2
    events = []
    for n, (workflow, instance, action) in enumerate(steps, start=1):
        stored = (
            position + n,
            case_id,
            seq + n,
            chr(31).join(("live", workflow, "1", str(instance), action)),
            chr(31).join((logins.admin, "casework", effective, recorded)),
            uuid.uuid4().hex,
            canonical_json({"fields": {}}),
            prev,
        )
        prev = stored_hash(stored)
        events.append((*stored, prev))
    return events


def test_two_sessions_cannot_both_authorise_one_proposal(logins: Logins) -> None:  # noqa: F811
    case_id = _proposed(logins)
    events = _decided_twice(logins, case_id)
    second: dict[str, str] = {}

    def in_the_other_session() -> None:
        with logins.psql(logins.admin) as conn:
            try:
                for event in events[2:]:
                    conn.execute(_INSERT, event)
                conn.commit()
                second["answer"] = "committed"
            except psycopg.Error as refused:
                second["answer"] = f"{type(refused).__name__}: {refused}"

    with logins.psql(logins.admin) as first:
        for event in events[:2]:
            first.execute(_INSERT, event)
        other = threading.Thread(target=in_the_other_session)
        other.start()
        other.join(2)  # the other session's decision waits on this one's, or is through
        first.commit()
    other.join(30)
    assert not other.is_alive()
    assert second["answer"].startswith(REFUSED.__name__), second["answer"]
    assert "already decided" in second["answer"]
    ct = Casetracker(logins.owner_url, role="admin")
    actions = [event.action for event in ct.store.read_case(case_id)]
    ct.close()
    assert actions.count("detain_under_immigration_powers") == 1
