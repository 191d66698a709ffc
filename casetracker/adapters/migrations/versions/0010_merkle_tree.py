"""A Merkle tree over the event log and one over the access log (issue 15).

``merkle_nodes`` holds, for each log (``tree``: ``events`` or ``access_log``), the hash of
every complete perfect subtree of 16 leaves or more (``level`` 4 and up; ``idx`` counts the
subtrees of that level from the left), RFC 9162 node hashing over the entries' stored hashes,
which are already RFC 9162 leaf hashes.  Smaller subtrees are computed from the leaves when a
proof needs them.  It is append-only like the logs it summarises.

The upgrade builds both trees from the entries already logged, in position order; no stored
hash changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from casetracker.integrity.merkle import all_nodes

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LOWEST_STORED = 4  # casetracker.adapters.merkle_tree.LOWEST_STORED, frozen here
TREES = ("events", "access_log")
BATCH = 10_000


def upgrade() -> None:
    op.create_table(
        "merkle_nodes",
        sa.Column("tree", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tree", "level", "idx", name="pk_merkle_nodes"),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    dialect = bind.dialect.name
    nodes = sa.table(
        "merkle_nodes", sa.column("tree"), sa.column("level"), sa.column("idx"), sa.column("hash")
    )
    for tree in TREES:
        leaves = (h for (h,) in bind.execute(sa.text(f"SELECT hash FROM {tree} ORDER BY position")))
        rows: list[dict[str, object]] = []
        for level, index, value in all_nodes(leaves, LOWEST_STORED):
            rows.append({"tree": tree, "level": level, "idx": index, "hash": value})
            if len(rows) >= BATCH:
                bind.execute(nodes.insert(), rows)
                rows = []
        if rows:
            bind.execute(nodes.insert(), rows)
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER merkle_nodes_no_{verb.lower()} BEFORE {verb} ON merkle_nodes "
                f"BEGIN SELECT RAISE(ABORT, 'merkle_nodes is append-only: {verb} refused'); END"
            )
    else:
        op.execute(
            "CREATE OR REPLACE FUNCTION merkle_nodes_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'merkle_nodes is append-only: % refused', TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            "CREATE TRIGGER merkle_nodes_no_change BEFORE UPDATE OR DELETE ON merkle_nodes "
            "FOR EACH ROW EXECUTE FUNCTION merkle_nodes_append_only()"
        )
        op.execute(
            "CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes "
            "FOR EACH STATEMENT EXECUTE FUNCTION merkle_nodes_append_only()"
        )


def downgrade() -> None:
    op.drop_table("merkle_nodes")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS merkle_nodes_append_only()")
