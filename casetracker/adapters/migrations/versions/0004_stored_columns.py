"""Each event's hashed bytes are held once, in the order they are hashed.

Until now every field of an event had a column, and the verifier read sixteen values per event
to rebuild its encoding.  The fields that nothing indexes or links by are now kept in two
columns, each already joined by 0x1F as it is hashed (casetracker.integrity.encoding.STORED_FIELDS):
``step`` (realm, workflow, version, instance, action) and ``stamp`` (actor user, role,
effective and recorded time).  The encoding is unchanged, so every stored hash stays valid.

Each existing event's two new columns are made from its old ones exactly as the verifier
joined them, and its hash is kept as it was, so an event altered before the upgrade still fails
to match its hash after it.  On SQLite, which keeps any type in any column, a value of another
type than the store writes (a BLOB holding the very bytes of a text, say) is damage the old
verifier reported; such a row's new column is written as a BLOB, which the verifier reports
too.  PostgreSQL enforces the column types itself.

SQLite copies the log into a new table in the stored order (it cannot drop a column's default
or reorder columns in place) and puts the append-only triggers back; PostgreSQL alters the
table in place, which keeps its owner, its grants and its triggers.  Both leave the old
columns' space free for reuse; ``VACUUM`` (SQLite) or ``VACUUM FULL events`` (PostgreSQL)
returns it to the disk.  Everything runs in ``init``'s one transaction: a failure leaves the
database as it was.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STEP = ("realm", "workflow", "workflow_version", "instance", "action")
STAMP = ("actor_user", "actor_role", "effective", "recorded")
NUMBERS = ("workflow_version", "instance")
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _sqlite_joined(fields: tuple[str, ...]) -> str:
    """The fields joined by 0x1F, as text when each is of its written type, else as a BLOB."""
    joined = " || char(31) || ".join(fields)
    typed = " AND ".join(f"typeof({f}) = '{'integer' if f in NUMBERS else 'text'}'" for f in fields)
    return f"CASE WHEN {typed} THEN {joined} ELSE CAST({joined} AS BLOB) END"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def _upgrade_sqlite() -> None:
    op.create_table(
        "events_stored",
        sa.Column("position", POSITION, primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("step", sa.String(300), nullable=False),
        sa.Column("stamp", sa.String(300), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
        sa.UniqueConstraint("idempotency_key", name="uq_events_idempotency_key"),
    )
    op.execute(
        "INSERT INTO events_stored SELECT position, case_id, seq, "
        f"{_sqlite_joined(STEP)}, {_sqlite_joined(STAMP)}, idempotency_key, payload, "
        "prev_hash, hash FROM events ORDER BY position"
    )
    op.execute("DROP TABLE events")  # and its triggers
    op.execute("ALTER TABLE events_stored RENAME TO events")
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
            f"BEGIN SELECT RAISE(ABORT, 'events is append-only: {verb} refused'); END"
        )


def _upgrade_postgresql() -> None:
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
