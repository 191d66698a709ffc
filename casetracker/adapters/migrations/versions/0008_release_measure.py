"""The release-before-IO measure counts every way of leaving police custody (issue 14, ¶4.22).

``mi_arrests`` gains ``left_by`` (the encounter action that took the person out of police
custody: release, no further action, police bail, remand or bail to court, running away; empty
while they are still held) and ``home_office_acted`` (the Home Office had dealt with them, for
instance given reporting directions as in Figure 1, before they left).  ``released`` now means
left police custody by any of those ways.

The MI tables are a read model of the log.  Existing rows get the defaults here; run
``casetracker rebuild`` once after upgrading so that every arrest is measured the new way.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mi_arrests") as table:
        table.add_column(
            sa.Column("left_by", sa.String(length=32), nullable=False, server_default=sa.text("''"))
        )
        table.add_column(
            sa.Column("home_office_acted", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("mi_arrests") as table:
        table.drop_column("home_office_acted")
        table.drop_column("left_by")
