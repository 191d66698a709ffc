"""``cases`` gains ``rows_digest``: a digest of the worklist, report and deadline rows last
written for the case, so that an action on a case this process has not folded (every CLI
``case act``, a new TUI session) compares the digest of the rows it derives with one value
instead of reading every one of those rows back (issue 18: seven reads, a tenth of a cold
action).  ``read_models.update`` writes it after the rows, in the same transaction.

On SQLite a row of those tables updated or deleted by anything (a hand-made fix, a future
writer that knows nothing of the digest) forgets its case's digest, through the triggers
below: the next action then compares the rows themselves, as before, and puts a differing
one right.  Rows are only inserted for a new case (bulk, synth, import: no digest yet) or
after ``read_models.update`` deleted the case's rows (a delete forgets), so inserting needs
no trigger.  ``casetracker rebuild`` holds the triggers back while it empties and refills the
tables and forgets every digest itself (``kept_rows.digests_forgotten``).  Existing cases
start with none: each is compared in full once, at its next action.

On PostgreSQL the column is added but not used: actions there compare the rows as before.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# The read models compared on a cold action (casetracker.adapters.read_models), frozen here.
DIGESTED_TABLES = (
    "worklist",
    "deadlines",
    "mi_arrests",
    "mi_people",
    "mi_referrals",
    "mi_spells",
    "mi_high_harm",
)
_FORGET = (
    "UPDATE cases SET rows_digest = NULL WHERE case_id = {row}.case_id AND rows_digest IS NOT NULL"
)


def _triggers(table: str) -> dict[str, str]:
    return {
        f"{table}_forgets_digest_on_update": (
            f"CREATE TRIGGER {table}_forgets_digest_on_update AFTER UPDATE ON {table} BEGIN "
            f"{_FORGET.format(row='OLD')}; {_FORGET.format(row='NEW')}; END"
        ),
        f"{table}_forgets_digest_on_delete": (
            f"CREATE TRIGGER {table}_forgets_digest_on_delete AFTER DELETE ON {table} BEGIN "
            f"{_FORGET.format(row='OLD')}; END"
        ),
    }


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("rows_digest", sa.String(32), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for name in DIGESTED_TABLES:
            for statement in _triggers(name).values():
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in DIGESTED_TABLES:
            for trigger in _triggers(name):
                op.execute(f"DROP TRIGGER {trigger}")
    with op.batch_alter_table("cases") as table:
        table.drop_column("rows_digest")
