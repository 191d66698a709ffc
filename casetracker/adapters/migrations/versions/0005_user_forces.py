"""Each user may belong to one police force.

Police forces are separate data controllers: a custody officer of one force has no business in
another force's custody records (issue 13).  ``users.force`` names the force a police user
belongs to (a force code such as ``MPS``); it is empty for Home Office users, auditors, trainers
and admins, who are not bound to a force.  Existing users keep every access they had until an
admin gives them a force.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(
            sa.Column("force", sa.String(length=16), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.drop_column("force")
