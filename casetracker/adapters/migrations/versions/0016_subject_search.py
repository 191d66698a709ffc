"""Search by person (issue 16 item 4): a blind index of subjects' values, erased with them.

``subject_search`` holds, per case, ``HMAC-SHA256(search key, kind || normalised value)``
tokens of the subject's searchable values (each word of the name, date of birth, claimed and
verified nationality, each identifier such as a PNC or Home Office reference), indexed by token,
so a search computes its tokens and reads one index range each instead of parsing every subject
(casetracker.adapters.subject_search).  The rows are written with the subject record and
deleted by its erasure, so no index outlives the person's data.  The search key is a random
secret per database, in ``meta`` (``search_key``).  Existing subjects are indexed here.

On PostgreSQL the table has the row-level security of the other case tables (revision 0012): a
police login finds only its force's cases.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import json

import sqlalchemy as sa
from alembic import op

from casetracker.adapters import subject_search

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "subject_search"
VISIBLE = (  # revision 0012's policy
    "(SELECT casetracker_sees_all()) "
    "OR casetracker_case_visible(case_id, (SELECT casetracker_my_force()))"
)
BATCH = 5000


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("token", "case_id", name="pk_subject_search"),
    )
    op.create_index("ix_subject_search_case", TABLE, ["case_id"])
    bind = op.get_bind()
    query = sa.text("SELECT value FROM meta WHERE key = :key")
    key = bind.execute(query, {"key": subject_search.KEY}).scalar()  # rows copied from elsewhere
    if not key:
        key = subject_search.new_key()
        bind.execute(
            sa.text("INSERT INTO meta (key, value) VALUES (:key, :value)"),
            {"key": subject_search.KEY, "value": key},
        )
    secret = bytes.fromhex(key)
    rows = bind.execute(sa.text("SELECT case_id, data FROM subjects WHERE data IS NOT NULL"))
    while batch := rows.fetchmany(BATCH):
        tokens = [
            {"token": subject_search.token(secret, kind, value), "case_id": case_id}
            for case_id, data in batch
            for kind, value in sorted(subject_search.terms(json.loads(data or "{}")))
        ]
        if tokens:
            bind.execute(
                sa.text(f"INSERT INTO {TABLE} (token, case_id) VALUES (:token, :case_id)"),
                tokens,
            )
    if bind.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {TABLE}_seen ON {TABLE} FOR SELECT USING ({VISIBLE})")
        op.execute(f"CREATE POLICY {TABLE}_deleted ON {TABLE} FOR DELETE USING ({VISIBLE})")
        op.execute(f"CREATE POLICY {TABLE}_added ON {TABLE} FOR INSERT WITH CHECK (true)")


def downgrade() -> None:
    op.execute(f"DELETE FROM meta WHERE key = '{subject_search.KEY}'")
    op.drop_index("ix_subject_search_case", table_name=TABLE)
    op.drop_table(TABLE)
