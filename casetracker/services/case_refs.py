"""``last``: the case opened last, for the commands a trainer types after ``scenario play``.

A scenario is played into whatever training database there is, so the case it records is not
always C-0000001; the play prints its number, and the reading commands also take ``last`` for
it (``casetracker.adapters.case_ids`` says how the newest is found).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from casetracker.adapters.case_ids import newest_case_id
from casetracker.adapters.database import read_transaction
from casetracker.adapters.store import normalise_case_id
from casetracker.domain.errors import UsageError

LAST = "last"


def resolve_case_ref(engine: Engine, text: str) -> str:
    """The case ``text`` names, as every screen writes it (``1`` is C-0000001, which a command
    then echoes), or for ``last`` the id of the case opened last.  Who may read that case is
    decided by the command that reads it, as for any id typed in full."""
    if text.strip().lower() != LAST:
        return normalise_case_id(text)
    with read_transaction(engine) as conn:
        newest = newest_case_id(conn)
    if newest is None:
        raise UsageError("there is no case yet: 'last' names the case opened last")
    return newest
