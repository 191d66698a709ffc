"""An event recorded without an idempotency key keeps an empty key, and only keys are unique.

A retry key is what a command gives so that doing it twice records it once.  Until now an
event recorded without one (every action in the TUI, most in the CLI) was given a made-up key,
32 hex digits, only so that the column's unique constraint would take it: nobody could ever
retry with it, yet each was one more entry in a unique index, a quarter of the pages a
caseworker's note wrote (benchmarks/bench_core: 1.25 of 5.9 pages a commit).  From this
revision such an event's key is empty - which says truly that the command gave none - and the
unique index holds the non-empty keys alone (a partial index, ``WHERE idempotency_key <> ''``),
so a command's key is still recorded once and its retry still finds it.  Nothing is checked
less: the index refused only what could not happen.

Events already recorded keep their keys (made up or given) and every hash is unchanged.  SQLite
cannot drop a table's constraint, so it copies the log into a table without it, in position
order, and puts the append-only triggers back, as revision 0004 did; PostgreSQL drops the
constraint in place.  The downgrade restores the constraint, and refuses while any event has an
empty key: the log is never rewritten to give one a key.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KEYED = "idempotency_key <> ''"
INDEX = "uq_events_idempotency_key"


def _events(name: str, *keys: sa.Constraint) -> None:
    op.create_table(
        name,
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
        *keys,
    )


def _copied_sqlite(*keys: sa.Constraint) -> None:
    """The log copied into a new ``events`` (with ``keys``), its append-only triggers back."""
    _events("events_copied", *keys)
    op.execute("INSERT INTO events_copied SELECT * FROM events ORDER BY position")
    op.execute("DROP TABLE events")  # and its triggers
    op.execute("ALTER TABLE events_copied RENAME TO events")
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
            f"BEGIN SELECT RAISE(ABORT, 'events is append-only: {verb} refused'); END"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _copied_sqlite()
    else:
        op.execute(f"ALTER TABLE events DROP CONSTRAINT {INDEX}")
    op.create_index(
        INDEX,
        "events",
        ["idempotency_key"],
        unique=True,
        sqlite_where=sa.text(KEYED),
        postgresql_where=sa.text(KEYED),
    )


def downgrade() -> None:
    bind = op.get_bind()
    keyless = bind.execute(sa.text("SELECT count(*) FROM events WHERE idempotency_key = ''"))
    if keyless.scalar_one():
        raise RuntimeError(
            "events recorded without an idempotency key have an empty one, which a unique "
            "constraint cannot hold; the event log is never rewritten to give them keys"
        )
    op.drop_index(INDEX, "events")
    if bind.dialect.name == "sqlite":
        _copied_sqlite(sa.UniqueConstraint("idempotency_key", name=INDEX))
    else:
        op.execute(f"ALTER TABLE events ADD CONSTRAINT {INDEX} UNIQUE (idempotency_key)")
