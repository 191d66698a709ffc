"""``worklist`` gains ``deadline_kind``: which deadline its ``deadline`` is (PACE expiry, IO
before release, a four-eyes proposal's lapse...), so that a caseworker sees which clock is
running out, not only when.

The kind is known where the row is derived (``casetracker.domain.deadlines``) and nowhere else
once a deadline has been recorded as passed (the ``deadlines`` table holds only pending ones),
so it is stored beside the time.  Existing rows get "" (no kind shown) until their case's next
action or ``casetracker rebuild``.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("worklist") as table:
        table.add_column(
            sa.Column("deadline_kind", sa.String(32), nullable=False, server_default=sa.text("''"))
        )


def downgrade() -> None:
    with op.batch_alter_table("worklist") as table:
        table.drop_column("deadline_kind")
