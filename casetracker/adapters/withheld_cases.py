"""Whether the database withheld a case from the login (PostgreSQL's row-level security).

A police login sees no row of another force's case (migration 0012), so to it such a case looks
like one that does not exist.  The service still logs the attempt as a refusal; to tell the two
apart it asks ``casetracker_case_withheld`` (migration 0021), which sees the whole log and
answers only this.  SQLite has no row-level security: nothing is withheld there.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def withheld(conn: Connection, case_id: str) -> bool:
    """True if ``case_id`` is in the log but hidden from this login by row-level security."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.execute(sa.select(sa.func.casetracker_case_withheld(case_id))).scalar())
