"""Management-information tables: derived, indexed facts for the reports (Recommendation 1).

One row per arrest (``mi_arrests``); per person, force and year of arrests as a foreign national
(``mi_people``, so fn 13's people count needs no DISTINCT over arrests); per referral for a
status check (``mi_referrals``); per timed spell (``mi_spells``: status-check and ETD
turnaround, immigration detention, absconder spells); and per High Harm criterion met
(``mi_high_harm``).  They are read models, derived from the log by
``casetracker.adapters.mi_model`` in the same transaction as every event, and recomputed by
``casetracker report rebuild``; nothing in them is evidence, so dropping them loses nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mi_arrests",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("encounter", sa.Integer, primary_key=True),
        sa.Column("force", sa.String(16), nullable=False),
        sa.Column("suite", sa.String(128), nullable=False),
        sa.Column("arrested_at", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("nationality_group", sa.String(16), nullable=False),
        sa.Column("route", sa.String(32), nullable=False),
        sa.Column("ccu_calls", sa.Integer, nullable=False),
        sa.Column("local_io_referrals", sa.Integer, nullable=False),
        sa.Column("local_ice_referrals", sa.Integer, nullable=False),
        sa.Column("offender", sa.Boolean, nullable=False),
        sa.Column("released", sa.Boolean, nullable=False),
        sa.Column("seen_by_io", sa.Boolean, nullable=False),
        sa.Column("released_before_io", sa.Boolean, nullable=False),
        sa.Column("in_io_hours", sa.Boolean, nullable=True),
    )
    # Covering the referrals report: one index range scan, no table lookups.
    op.create_index(
        "ix_mi_arrests_referrals",
        "mi_arrests",
        ["year", "force", "nationality_group", "route", "ccu_calls", "local_io_referrals",
         "local_ice_referrals"],
    )  # fmt: skip
    op.create_table(
        "mi_people",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("force", sa.String(16), primary_key=True),
        sa.Column("arrests", sa.Integer, nullable=False),
        sa.Column("ccu_calls", sa.Integer, nullable=False),
        sa.Column("local_io_referrals", sa.Integer, nullable=False),
        sa.Column("local_ice_referrals", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_mi_people_referrals",
        "mi_people",
        ["year", "force", "ccu_calls", "local_io_referrals", "local_ice_referrals"],
    )
    op.create_table(
        "mi_referrals",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("status_check", sa.Integer, primary_key=True),
        sa.Column("encounter", sa.Integer, nullable=False),
        sa.Column("force", sa.String(16), nullable=False),
        sa.Column("route", sa.String(32), nullable=False),
        sa.Column("referred_at", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("nationality_group", sa.String(16), nullable=False),
        sa.Column("result", sa.String(64), nullable=False),
        sa.Column("offender", sa.Boolean, nullable=False),
    )
    op.create_index("ix_mi_referrals_force_time", "mi_referrals", ["force", "referred_at"])
    op.create_index("ix_mi_referrals_year_force", "mi_referrals", ["year", "force"])
    op.create_table(
        "mi_spells",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("started", sa.String(32), nullable=False),
        sa.Column("ended", sa.String(32), nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("year", sa.Integer, nullable=False),
    )
    op.create_index("ix_mi_spells_durations", "mi_spells", ["kind", "year", "seconds"])
    op.create_table(
        "mi_high_harm",
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("criterion", sa.String(64), primary_key=True),
        sa.Column("force", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
    )
    op.create_index("ix_mi_high_harm_criterion", "mi_high_harm", ["criterion"])


def downgrade() -> None:
    for table in ("mi_high_harm", "mi_spells", "mi_referrals", "mi_people", "mi_arrests"):
        op.drop_table(table)
