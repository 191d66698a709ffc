"""SQLite: a read-model row inserted by anything forgets its case's digest, as an update or a
delete already did (migration 0026).

A cold action trusts ``cases.rows_digest`` instead of reading the case's worklist, deadline and
report rows back; 0026's triggers made an update or a delete of such a row forget it, so that
the next action compares the rows and puts a wrong one right.  An insert did not: a row added
by another writer (by hand, a tool, ``INSERT OR REPLACE``, whose delete fires no trigger while
``recursive_triggers`` is off) stayed under a digest that still matched, and no action ever
looked at it again; before 0026 the next cold action had removed it (found by review).  Now an
insert forgets the digest too.  casetracker's own writers are unaffected: an action inserts
rows only after deleting the case's old ones (the digest is already forgotten, and kept again
after), a bulk write (``synth``, ``import``) inserts rows for new cases and keeps their digests
after, and ``rebuild`` holds every trigger of these tables back while it refills them
(``kept_rows.digests_forgotten``).  The check costs a primary-key lookup per inserted row.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# The read models compared on a cold action (casetracker.adapters.read_models), frozen here
# as 0026 froze them.
DIGESTED_TABLES = (
    "worklist",
    "deadlines",
    "mi_arrests",
    "mi_people",
    "mi_referrals",
    "mi_spells",
    "mi_high_harm",
)


def _trigger(table: str) -> str:
    return f"{table}_forgets_digest_on_insert"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in DIGESTED_TABLES:
        op.execute(
            f"CREATE TRIGGER {_trigger(table)} AFTER INSERT ON {table} BEGIN "
            "UPDATE cases SET rows_digest = NULL WHERE case_id = NEW.case_id "
            "AND rows_digest IS NOT NULL; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in DIGESTED_TABLES:
        op.execute(f"DROP TRIGGER {_trigger(table)}")
