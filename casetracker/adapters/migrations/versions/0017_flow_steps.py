"""The process map's read model: ``flow_steps`` (issue 19, ``casetracker report flow``).

Every step of every trace (a whole case, and each lifecycle instance) with the step before it,
the wait between them, the year its trace starts in, so the
report aggregates in SQL instead of folding the log (``casetracker.adapters.flow_model``).  The
table is a read model: this revision fills it from the events already recorded, as
``casetracker rebuild`` would, with the same pure function the append path uses.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE = "flow_steps"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("trace", sa.String(32), nullable=False),
        sa.Column("instance", sa.Integer, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("activity", sa.String(200), nullable=False),
        sa.Column("previous", sa.String(200), nullable=True),
        sa.Column("wait_s", sa.Float, nullable=True),
        sa.Column("approximate", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "trace", "instance", "step", name="pk_flow_steps"),
    )
    _fill(op.get_bind())
    op.create_index(
        "ix_flow_steps_paths",
        TABLE,
        ["trace", "previous", "activity", "wait_s", "year", "approximate", "case_id"],
    )


def _fill(conn: sa.engine.Connection) -> None:
    """The rows of every case already in the log (the index is built after: faster)."""
    from casetracker.adapters.flow_model import fill

    fill(conn)


def downgrade() -> None:
    op.drop_index("ix_flow_steps_paths", table_name=TABLE)
    op.drop_table(TABLE)
