"""The worklist: one indexed row per case per queue it belongs to, ordered by urgency.

Caseworkers open their work by queue (CCU: referrals awaiting a status check; IO: immigration
offenders in custody by PACE time left, ¶4.21; ETD applications; absconders; removal directions;
pending claims).  With a million cases a queue must come back as one index range scan, so each
row carries its queue, a sortable ``due`` time, its force (a filter by force is an index
range too) and a lower-cased ``search`` text for any other filter.
The table is derived: ``casetracker.adapters.worklist`` rebuilds it from the log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worklist",
        sa.Column("queue", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("due", sa.String(32), nullable=False),
        sa.Column("force", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("search", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("queue", "case_id", "item", name="pk_worklist"),
    )
    op.create_index("ix_worklist_queue_due", "worklist", ["queue", "due", "case_id"])
    op.create_index("ix_worklist_queue_force_due", "worklist", ["queue", "force", "due", "case_id"])
    op.create_index("ix_worklist_case", "worklist", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_worklist_case", "worklist")
    op.drop_index("ix_worklist_queue_force_due", "worklist")
    op.drop_index("ix_worklist_queue_due", "worklist")
    op.drop_table("worklist")
