"""The organisation file's versions in the log, and the moment each arrest left police custody
(issue 14: the organisation model is versioned so a past measure is recomputed under the
configuration in force then).

``organisation_versions`` is append-only and hash-chained like the access log, in one chain:
each row holds the digest of an organisation file, its canonical content (the parsed file as
canonical JSON), the moment from which it is in force, who recorded it and when
(``casetracker.adapters.organisation_log``).  ``mi_arrests`` gains ``left_at``, the effective
time (canonical text) of the step that took the person out of police custody, so that
``report releases`` can ask which configuration was in force at each release; rows written
before this revision have '' until ``casetracker rebuild``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE = "organisation_versions"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("effective", sa.String(64), nullable=False),
        sa.Column("recorded", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    with op.batch_alter_table("mi_arrests") as table:
        table.add_column(
            sa.Column("left_at", sa.String(64), nullable=False, server_default=sa.text("''"))
        )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {verb} refused'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP "
            f"USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()"
        )
    else:
        raise RuntimeError(f"casetracker supports SQLite and PostgreSQL, not {dialect}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TABLE {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_append_only()")
    else:
        op.drop_table(TABLE)
    with op.batch_alter_table("mi_arrests") as table:
        table.drop_column("left_at")
