"""The logs' Merkle trees read their leaves whatever rows a login may see (issue 15).

On PostgreSQL a police login sees only its force's events (migration 0012), but the event log's
tree is one tree over every event: an append that completes a block of 16 leaves reads the hashes
of the entries before it, which may be other forces' cases.
``casetracker_leaf_hashes(tree, after, upto)`` returns the positions and hashes (and nothing
else) of the entries at positions ``after + 1 .. upto`` of ``events`` or ``access_log``, in
position order, as the owner sees them (``casetracker.adapters.merkle_tree`` asks it on
PostgreSQL).  A hash reveals nothing of an
event that its inclusion proofs do not already show.  SQLite has no row-level security: nothing
to do there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(
        "CREATE OR REPLACE FUNCTION casetracker_leaf_hashes(p_tree text, p_after bigint, "
        "p_upto bigint) RETURNS TABLE (leaf_position bigint, leaf_hash varchar) LANGUAGE sql "
        f'STABLE SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $$ '
        "SELECT e.position, e.hash FROM events e WHERE p_tree = 'events' "
        "AND e.position > p_after AND e.position <= p_upto "
        "UNION ALL "
        "SELECT a.position, a.hash FROM access_log a WHERE p_tree = 'access_log' "
        "AND a.position > p_after AND a.position <= p_upto "
        "ORDER BY 1 $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS casetracker_leaf_hashes(text, bigint, bigint)")
