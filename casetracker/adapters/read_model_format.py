"""Which release's rules derived the read models' rows, so that ``casetracker init`` can derive
them again after an upgrade that changed the rules.

The worklist, deadline and report tables are derived from the log by pure functions.  When a
release changes one of those functions (not the schema), a database upgraded to it still holds
rows derived the old way, and an action rewrites only its own case's rows: the others would stay
as the old release left them, in some cases for good.  ``FORMAT`` names the rules this release
derives by; ``meta`` records the rules the rows were last derived by (absent: before this was
recorded, format 1); ``init`` re-derives every read model when the two differ.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.tables import META

# Bump when a release derives different read-model rows from the same log.
#   2: a deadline discharged late (a PACE extension recorded after the point to ask for one)
#      no longer orders its case's worklist rows (``deadlines.to_do``).
FORMAT = "2"
_KEY = "read_models_format"
_BEFORE_RECORDED = "1"


def recorded(conn: Connection) -> str:
    """The format the stored rows were derived by."""
    value = conn.execute(sa.select(META.c.value).where(META.c.key == _KEY)).scalar()
    return value if value is not None else _BEFORE_RECORDED


def record(conn: Connection) -> None:
    """Say that the stored rows are derived by this release's rules."""
    conn.execute(META.delete().where(META.c.key == _KEY))
    conn.execute(META.insert().values(key=_KEY, value=FORMAT))
