"""SQLite: ``flow_steps`` catches up from the log, and ``meta`` says how far it is complete.

Each caseworker action wrote its steps into ``flow_steps`` (revision 0017) in its own
transaction: 4.5 of its 10.5 database pages per commit (the table and ``ix_flow_steps_paths``)
and about 60 µs of its CPU, for a report read far less often than actions are recorded.  On
SQLite the table is now brought up to date by its readers instead
(``casetracker.adapters.flow_model.catch_up``): the ``meta`` row ``flow_steps_through`` holds
the log position through which the table is complete, and a reader re-derives the cases with
events after it, then moves it.  Every action so far kept the table complete (and revision
0017 filled it from the log), so the mark starts at the log's end.

PostgreSQL keeps the table up to date in each action, as before (a police login's catch-up
could not see the other forces' events, revision 0012): no mark is written there.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from casetracker.adapters.flow_model import MARK

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.execute(  # a row copied from a newer database's meta is set here too
        sa.text(
            "INSERT INTO meta (key, value) "
            "SELECT :key, CAST(COALESCE(MAX(position), 0) AS TEXT) FROM events WHERE true "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ),
        {"key": MARK},
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text("DELETE FROM meta WHERE key = :key"), {"key": MARK})
