"""A case's force is kept for row-level security however its JSON spells the key (0036).

The trigger keeping each case's forces parsed an event's payload only when its text held
``"force"``; the event guard and the service parse it themselves.  A police officer opening a
case through psql with the key spelt ``"\\u0066orce"`` had it accepted as a case of their force,
and the trigger recorded no force: the case was hidden from every police login, theirs too,
while the service counted it theirs.  As a real non-superuser member login.
"""

from __future__ import annotations

import pytest

from tests.security.test_postgres_forces import (  # noqa: F401 - forces is the fixture
    Force,
    _case_of,
    _rows,
    forces,
)

pytestmark = pytest.mark.postgres


def test_a_force_spelt_with_an_escape_is_the_cases_force(forces: Force) -> None:  # noqa: F811
    _case_of(forces, forces.mps)  # C-0000001
    with forces.psql(forces.mps) as conn:
        conn.execute(
            "INSERT INTO events (position, case_id, seq, step, stamp, idempotency_key, payload, "
            "prev_hash, hash) SELECT casetracker_last_position() + 1, 'C-0000009', 1, "
            "concat_ws(chr(31), 'live', 'case', '1', '0', 'open_case'), "
            "concat_ws(chr(31), session_user, 'police', '2016-01-01T00:00:00Z', "
            "'2016-01-01T00:00:00Z'), '', %s, repeat('0', 64), repeat('0', 64)",
            ('{"fields":{"\\u0066orce":"MPS"}}',),
        )
    assert _rows(forces, forces.mps, "events", "C-0000009") == 1
    assert _rows(forces, forces.wmp, "events", "C-0000009") == 0
