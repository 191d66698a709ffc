"""PostgreSQL: a Merkle tree node is inserted only for a subtree its log has completed.

``merkle_nodes`` caches the hash of every complete subtree of 2^``level`` ≥ 16 leaves,
written by the append that completes it (revision 0010), and the application role may insert
into it.  A member could therefore insert, through psql, the node of a subtree the log had not
reached yet: when it did, the append that completes the subtree met that row (the table's
primary key) and failed, and so did every later attempt at that position - nobody could record
an event again (or, for the access log's tree, read a case: each read is logged), and the
append-only triggers keep the row (found by review).  A ``BEFORE INSERT`` trigger now refuses
(``insufficient_privilege``, as the other guards do) a node of any other tree than
``events`` and ``access_log``, below level 4, or whose last leaf, position
(``idx`` + 1)·2^``level``, the log does not hold yet; casetracker's own appends insert the
node after the entries that complete it, in the same transaction, so they see them.  The
function is ``SECURITY DEFINER``, with a fixed ``search_path``, because a police login sees
only its force's events (revision 0012) but the tree is every event's; it reads one position.

Nodes planted before this revision are not removed here: ``casetracker verify`` reports the
tree that differs.  SQLite, one account's file, has nothing to guard.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

LOWEST_STORED = 4  # casetracker.integrity.tree_check.LOWEST_STORED, frozen here
FUNCTION = "casetracker_merkle_node_guard()"
TRIGGER = "merkle_nodes_complete_only"


def _function(schema: str) -> str:
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    return f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
        DECLARE
            last_leaf bigint;
        BEGIN
            IF NEW.tree = 'events' THEN
                SELECT position INTO last_leaf FROM events ORDER BY position DESC LIMIT 1;
            ELSIF NEW.tree = 'access_log' THEN
                SELECT position INTO last_leaf FROM access_log ORDER BY position DESC LIMIT 1;
            END IF;
            IF last_leaf IS NULL OR NEW.level < {LOWEST_STORED} OR NEW.idx < 0
               OR (NEW.idx + 1) * (2::numeric ^ NEW.level) > last_leaf THEN
                RAISE EXCEPTION 'merkle_nodes: the % tree has no complete subtree at level %, '
                    'index %', NEW.tree, NEW.level, NEW.idx
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
    $$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(f"CREATE OR REPLACE FUNCTION {FUNCTION} {_function(schema)}")
    op.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON merkle_nodes FOR EACH ROW "
        f"EXECUTE FUNCTION {FUNCTION}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TRIGGER} ON merkle_nodes")
        op.execute(f"DROP FUNCTION {FUNCTION}")
