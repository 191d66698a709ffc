"""A member of the application role cannot stop every later case being opened.

Case ids are allocated as one more than the highest in ``cases`` (``store.allocate_case_id``,
``casetracker_last_case_id``), the highest taken in text order.  Through psql a member may
open a case in their own name under any id: opened as ``C-9999999`` (a well-formed id, with a
correct hash, and its projection row), the next case opened is ``C-10000000``, and every one
after it is refused for ever ("case C-10000000 changed since you loaded it"): in text order
``C-9999999`` stays the highest.  (``C-9x`` in ``cases`` alone, no event needed, made every
opening an internal error, ``int('9x')``, until an admin's rebuild.)  Without any attacker the
same happens once a log holds 9,999,999 cases, on SQLite too.
"""

from __future__ import annotations

import pytest

from casetracker.integrity.encoding import GENESIS, stored_hash
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine
from tests.security.test_postgres_privileges import REFUSED, Logins, logins  # noqa: F401

pytestmark = pytest.mark.postgres


def test_a_case_opened_far_ahead_does_not_stop_openings(logins: Logins) -> None:  # noqa: F811
    ct = Casetracker(logins.url(logins.member), role="casework", workflows=core_engine())
    try:
        case_id = ct.open_case({"name": "Alex Example"}, "2016-01-01").case_id
        with logins.psql(logins.member) as conn, conn.cursor() as cur:
            step, stamp, payload = cur.execute(
                "SELECT step, stamp, payload FROM events WHERE case_id = %s AND seq = 1",
                (case_id,),
            ).fetchone()
            (last,) = cur.execute("SELECT max(position) FROM events").fetchone()
            stored = (last + 1, "C-9999999", 1, step, stamp, "", payload, GENESIS)
            try:
                cur.execute(
                    "INSERT INTO events (position, case_id, seq, step, stamp, idempotency_key, "
                    "payload, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (*stored, stored_hash(stored)),
                )
                cur.execute(
                    "INSERT INTO cases (case_id, version, head_hash, head_position, opened, "
                    "updated, state) SELECT 'C-9999999', 1, %s, %s, opened, updated, state "
                    "FROM cases WHERE case_id = %s",
                    (stored_hash(stored), last + 1, case_id),
                )
            except REFUSED:
                conn.rollback()
        for number in range(3):
            ct.open_case({"name": f"Person {number}"}, "2016-01-01")
    finally:
        ct.close()


def test_a_projection_row_alone_does_not_stop_openings(logins: Logins) -> None:  # noqa: F811
    ct = Casetracker(logins.url(logins.member), role="casework", workflows=core_engine())
    try:
        ct.open_case({"name": "Alex Example"}, "2016-01-01")
        with logins.psql(logins.member) as conn, conn.cursor() as cur:
            try:
                cur.execute(
                    "INSERT INTO cases (case_id, version, head_hash, head_position, opened, "
                    "updated, state) VALUES ('C-9x', 0, '', 0, '', '', '{}')"
                )
            except REFUSED:
                conn.rollback()
        ct.open_case({"name": "Another"}, "2016-01-01")
    finally:
        ct.close()
