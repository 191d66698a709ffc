"""SQLite: ``flow_steps`` is its primary key (``WITHOUT ROWID``), one b-tree fewer per action.

Each caseworker action adds two rows to ``flow_steps`` (revision 0017): the step in its case's
trace and in its instance's.  As a rowid table its key was a second b-tree beside the table,
so the two rows wrote three b-trees besides the report's index - about 5.7 of the 11.5 pages
an action's commit wrote to the WAL (and synced).  Keyed by its primary key, as
``subject_values`` and ``merkle_nodes`` are, the table is that b-tree: ~1.6 pages an action
fewer, the same rows, the same key, the same index.  PostgreSQL has no rowid: nothing changes
there.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLE = "flow_steps"
REBUILT = "flow_steps_rebuilt"
INDEX = "ix_flow_steps_paths"
INDEXED = ["trace", "previous", "activity", "wait_s", "year", "approximate", "case_id"]
COLUMNS = (
    "case_id", "trace", "instance", "step", "year", "activity", "previous", "wait_s",
    "approximate",
)  # fmt: skip


def _rebuild(with_rowid: bool) -> None:
    """The table created anew (keyed or not), its rows copied in key order, the index after."""
    op.create_table(
        REBUILT,
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("trace", sa.String(32), nullable=False),
        sa.Column("instance", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("step", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("activity", sa.String(200), nullable=False),
        sa.Column("previous", sa.String(200), nullable=True),
        sa.Column("wait_s", sa.Float, nullable=True),
        sa.Column("approximate", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "trace", "instance", "step", name="pk_flow_steps"),
        sqlite_with_rowid=with_rowid,
    )
    columns = ", ".join(COLUMNS)
    op.execute(
        f"INSERT INTO {REBUILT} ({columns}) SELECT {columns} FROM {TABLE} "
        "ORDER BY case_id, trace, instance, step"
    )
    op.drop_index(INDEX, table_name=TABLE)
    op.drop_table(TABLE)
    op.rename_table(REBUILT, TABLE)
    op.create_index(INDEX, TABLE, INDEXED)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(with_rowid=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(with_rowid=True)
