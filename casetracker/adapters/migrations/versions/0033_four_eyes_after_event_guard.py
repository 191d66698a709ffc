"""PostgreSQL: the four-eyes guard runs after the event guard, so it answers only for cases the
login may act on.

``BEFORE`` triggers on one table fire in the order of their names, and revision 0015's
``events_four_eyes`` came before revision 0006's ``events_guard``.  The four-eyes guard reads
the proposals of the case the event names, as the tables' owner (no row-level security), and
says why it refuses: a police officer typing an ``authorise_proposal`` on another force's case
was told "authorises no proposal of case ..." for a proposal instance the case lacks, "already
decided", "proposed it" or "not marked a superintendent" for one it has, and the event guard's
"only on cases of their own force" only when the four-eyes checks passed - so they could read,
instance by instance, which proposals another force's case had, who made them, whether each was
decided and whether one was a PACE extension (found by review).

The trigger is renamed ``events_guard_four_eyes``, which sorts after ``events_guard``: the event
guard first refuses an event not in the login's own name, role and force, and the four-eyes
guard then speaks only of a case the login may see.  Nothing else changes, and no event costs
more.  On SQLite it does nothing; the downgrade puts the old name back.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06
"""

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

BEFORE = "events_four_eyes"  # revision 0015
AFTER = "events_guard_four_eyes"  # after events_guard (0006) in name order


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TRIGGER {BEFORE} ON events RENAME TO {AFTER}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TRIGGER {AFTER} ON events RENAME TO {BEFORE}")
