"""Referrals found by an IO's sweep of a custody list are counted as their own route (issue 14).

IOs who can read a suite's custody list find foreign nationals the police never referred
(¶3.5, ¶4.3, ¶4.5, ¶4.12) and start the status check themselves (status check action
``refer_after_custody_sweep``).  ``mi_arrests`` and ``mi_people`` gain ``sweep_referrals``
beside the CCU, local IO and local ICE counts, and the two covering indexes of the referrals
report include it, so the report still reads one index range.

The MI tables are a read model of the log.  Existing rows get 0 here, which is right: no
sweep could be recorded before this revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ARRESTS_OLD = [
    "year", "force", "nationality_group", "route", "ccu_calls", "local_io_referrals",
    "local_ice_referrals",
]  # fmt: skip
_PEOPLE_OLD = ["year", "force", "ccu_calls", "local_io_referrals", "local_ice_referrals"]


def _column() -> sa.Column:
    return sa.Column("sweep_referrals", sa.Integer, nullable=False, server_default=sa.text("0"))


def upgrade() -> None:
    op.drop_index("ix_mi_arrests_referrals", table_name="mi_arrests")
    op.drop_index("ix_mi_people_referrals", table_name="mi_people")
    with op.batch_alter_table("mi_arrests") as table:
        table.add_column(_column())
    with op.batch_alter_table("mi_people") as table:
        table.add_column(_column())
    op.create_index("ix_mi_arrests_referrals", "mi_arrests", [*_ARRESTS_OLD, "sweep_referrals"])
    op.create_index("ix_mi_people_referrals", "mi_people", [*_PEOPLE_OLD, "sweep_referrals"])


def downgrade() -> None:
    op.drop_index("ix_mi_arrests_referrals", table_name="mi_arrests")
    op.drop_index("ix_mi_people_referrals", table_name="mi_people")
    with op.batch_alter_table("mi_people") as table:
        table.drop_column("sweep_referrals")
    with op.batch_alter_table("mi_arrests") as table:
        table.drop_column("sweep_referrals")
    op.create_index("ix_mi_arrests_referrals", "mi_arrests", _ARRESTS_OLD)
    op.create_index("ix_mi_people_referrals", "mi_people", _PEOPLE_OLD)
