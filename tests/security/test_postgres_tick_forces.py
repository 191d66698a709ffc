"""A tick's ``system`` event is no way past the force boundary (migration 0032).

``casetracker tick`` records a passed deadline as ``system``, and the event guard lets such an
event in when the same transaction logged a ``tick`` in the login's own name (0009).  That path
skipped every other check, so a police officer could, through psql, log a tick of their own
and then record a ``deadline_passed`` on another force's case: in the ``encounter`` lifecycle,
with a ``force`` field naming their own, it gave that case an encounter in their force, and
row-level security then showed them all of it (its events, subject record and notes).  Found
by review; as a real non-superuser member login, like the other tests here.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from casetracker.integrity.encoding import canonical_json, stored_hash
from tests.security.test_postgres_forces import (  # noqa: F401 - forces is the fixture
    CASE_TABLES,
    REFUSED,
    Force,
    _case_of,
    _rows,
    forces,
)
from tests.security.test_postgres_system_actor import _log_a_tick

pytestmark = pytest.mark.postgres


def _appended(
    cur: psycopg.Cursor,
    case_id: str,
    seq: int,
    step: tuple[str, int, str],
    actor: str,
    role: str = "police",
    fields: dict[str, str] | None = None,
) -> None:
    """An event typed at the end of the log: ``step`` is its (lifecycle, instance, action), its
    stamp ``actor`` and ``role``; the log's last hash is what any member may read of it."""
    row = cur.execute("SELECT casetracker_last_position()").fetchone()
    assert row is not None
    last = int(row[0])
    found = cur.execute(
        "SELECT leaf_hash FROM casetracker_leaf_hashes('events', %s, %s)", (last - 1, last)
    )
    (prev,) = found.fetchone() or ("0" * 64,)
    workflow, instance, action = step
    stored = (
        last + 1,
        case_id,
        seq,
        chr(31).join(("live", workflow, "1", str(instance), action)),
        chr(31).join((actor, role, "2016-03-05T00:00:00Z", "2016-03-05T00:00:00Z")),
        uuid.uuid4().hex,
        canonical_json({"fields": fields or {}}),
        prev,
    )
    cur.execute(
        "INSERT INTO events (position, case_id, seq, step, stamp, idempotency_key, payload, "
        "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (*stored, stored_hash(stored)),
    )


def _system_deadline(
    cur: psycopg.Cursor, case_id: str, seq: int, workflow: str, fields: dict[str, str]
) -> None:
    """A ``deadline_passed`` stamped ``system``, as a tick writes it, in ``workflow``."""
    _appended(cur, case_id, seq, (workflow, 7, "deadline_passed"), "system", "system", fields)


@pytest.mark.parametrize(
    ("workflow", "fields"),
    [("encounter", {"force": "WMP"}), ("work", {})],
    ids=["take-the-case-into-ones-force", "write-into-another-forces-case"],
)
def test_a_tick_entry_opens_no_other_forces_case(
    forces: Force,  # noqa: F811
    workflow: str,
    fields: dict[str, str],
) -> None:
    mps = _case_of(forces, forces.mps)
    with forces.psql(forces.wmp) as conn, conn.cursor() as cur:
        _log_a_tick(cur, forces.wmp, "police")
        with pytest.raises(REFUSED, match="only as themselves"):
            _system_deadline(cur, mps, 99, workflow, fields)
    for table in CASE_TABLES:
        assert _rows(forces, forces.wmp, table, mps) == 0, table
    assert _rows(forces, forces.auditor, "events", mps) == 2


def test_a_tick_entry_still_lets_in_a_passed_deadline_of_ones_own_force(forces: Force) -> None:  # noqa: F811
    wmp = _case_of(forces, forces.wmp)
    with forces.psql(forces.wmp) as conn, conn.cursor() as cur:
        _log_a_tick(cur, forces.wmp, "police")
        _system_deadline(cur, wmp, 3, "work", {})
    assert _rows(forces, forces.wmp, "events", wmp) == 3
