"""Each event's hashed bytes are held once, in the order they are hashed.

Until now every field of an event had a column, and the verifier read sixteen values per event
to rebuild its encoding.  The fields that nothing indexes or links by are now kept in two
columns, each already joined by 0x1F as it is hashed (casetracker.canonical.STORED_FIELDS):
``step`` (realm, workflow, version, instance, action) and ``stamp`` (actor user, role,
effective and recorded time).  The encoding is unchanged, so every stored hash stays valid.

Each existing event's two new columns are made from its old ones exactly as the verifier
joined them, and its hash is kept as it was: an event altered before the upgrade still fails to
match its hash after it.  The append-only triggers are switched off for this one rewrite and
put back in the same transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STEP = ("realm", "workflow", "workflow_version", "instance", "action")
STAMP = ("actor_user", "actor_role", "effective", "recorded")
_SQLITE_TRIGGER = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events is append-only: UPDATE refused'); END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        step, stamp = (" || char(31) || ".join(fields) for fields in (STEP, STAMP))
        for column in ("step", "stamp"):
            op.execute(f"ALTER TABLE events ADD COLUMN {column} VARCHAR(300) NOT NULL DEFAULT ''")
        op.execute("DROP TRIGGER events_no_update")
        op.execute(f"UPDATE events SET step = {step}, stamp = {stamp}")
        op.execute(_SQLITE_TRIGGER)
        for column in (*STEP, *STAMP):
            op.execute(f"ALTER TABLE events DROP COLUMN {column}")
    else:
        step, stamp = (f"concat_ws(chr(31), {', '.join(fields)})" for fields in (STEP, STAMP))
        op.execute("ALTER TABLE events ADD COLUMN step VARCHAR(300), ADD COLUMN stamp VARCHAR(300)")
        op.execute("ALTER TABLE events DISABLE TRIGGER events_no_change")
        op.execute(f"UPDATE events SET step = {step}, stamp = {stamp}")
        op.execute("ALTER TABLE events ENABLE TRIGGER events_no_change")
        op.execute(
            "ALTER TABLE events ALTER COLUMN step SET NOT NULL, ALTER COLUMN stamp SET NOT NULL, "
            + ", ".join(f"DROP COLUMN {c}" for c in (*STEP, *STAMP))
        )


def downgrade() -> None:
    raise RuntimeError("the event log is never rewritten back by a migration")
