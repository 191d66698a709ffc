"""Four eyes (issue 16 item 3): a police user may be marked a superintendent.

``users.superintendent`` is set by an admin (``casetracker user add NAME --superintendent``,
logged as every user change is); a PACE extension proposed by one officer is authorised only
by another police user so marked (fn 17).  The PostgreSQL guard that holds a member to the
same rule is added by this revision too, once written (see its later edits).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(
            sa.Column("superintendent", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.drop_column("superintendent")
