"""Case ids as allocated: the newest one, for ``last`` (``casetracker.services.case_refs``).

Ids are allocated in order, so the newest case has the highest number: the longest id, then the
greatest, as C-10000000 follows C-9999999.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.tables import CASES


def newest_case_id(conn: Connection) -> str | None:
    """The id of the case opened last, or None before the first case."""
    newest = conn.execute(
        sa.select(CASES.c.case_id)
        .order_by(sa.func.length(CASES.c.case_id).desc(), CASES.c.case_id.desc())
        .limit(1)
    ).scalar()
    return None if newest is None else str(newest)
