"""Search by person (issue 16 item 4): a blind index of subjects' values, erased with them.

``subject_search`` holds, per case, ``HMAC-SHA256(search key, field || normalised value)``
tokens of the subject's searchable values (name and its words, date of birth, nationalities,
PNC and Home Office references), indexed by token, so a search computes its token and reads one
index range instead of decrypting every subject.  The rows are written with the subject record
and deleted when it is erased, so no index outlives the person's data.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "subject_search"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("token", "case_id", name="pk_subject_search"),
    )
    op.create_index("ix_subject_search_case", TABLE, ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_subject_search_case", table_name=TABLE)
    op.drop_table(TABLE)
