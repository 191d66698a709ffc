"""``last``: the case opened last, for the commands a trainer types after ``scenario play``.

A scenario is played into whatever training database there is, so the case it records is not
always C-0000001; the play prints its number, and the reading commands also take ``last`` for
it (case ids are allocated in order, so the newest case has the highest number: the longest id,
then the greatest, as C-10000000 follows C-9999999).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from casetracker.adapters.database import read_transaction
from casetracker.adapters.tables import CASES
from casetracker.domain.errors import UsageError

LAST = "last"


def resolve_case_ref(engine: Engine, text: str) -> str:
    """``text`` as given, or for ``last`` the id of the case opened last.  Who may read that
    case is decided by the command that reads it, as for any id typed in full."""
    if text.strip().lower() != LAST:
        return text
    with read_transaction(engine) as conn:
        newest = conn.execute(
            sa.select(CASES.c.case_id)
            .order_by(sa.func.length(CASES.c.case_id).desc(), CASES.c.case_id.desc())
            .limit(1)
        ).scalar()
    if newest is None:
        raise UsageError("there is no case yet: 'last' names the case opened last")
    return str(newest)
