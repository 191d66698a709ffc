"""PostgreSQL: a note's free text that cannot go beside its record fails loudly (issue 18).

A note on a case whose subject record the service has seen inserts its free text only while
the record still has the salt its digest is made with and is not erased
(``casetracker.adapters.subjects.record``).  On PostgreSQL the insert asked that with
``WHERE EXISTS (...) RETURNING seq``, and the service read the returned row back to learn the
outcome: on the pipelined write connection (``KeptConnections``) that read was a wait of its
own, one of a police officer's three per note.  ``casetracker_subject_as_seen`` asks the same
question and raises (SQLSTATE ``CTS01``) when the answer is no, so the insert needs no answer
read: the error comes back at the commit, inside the transaction, which rolls back, and the
service then does the action again reading the record (which refuses an erased one as before).

The function runs as its caller (not ``SECURITY DEFINER``), so the record is read under the
same row-level security the ``EXISTS`` was; its table is named with its schema, so nothing on
a caller's ``search_path`` stands in for it.  On SQLite this revision does nothing (the row
count says whether the row went in, with no wait).  The downgrade drops the function; the
service of revision 0023 does not call it.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

NOT_AS_SEEN = "CTS01"  # casetracker.adapters.subjects.NOT_AS_SEEN, frozen here


def _function(schema: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION casetracker_subject_as_seen(p_case text, p_salt text)
        RETURNS boolean LANGUAGE plpgsql STABLE AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM "{schema}".subjects
                       WHERE case_id = p_case AND salt = p_salt AND erased IS NULL) THEN
                RETURN true;
            END IF;
            RAISE EXCEPTION 'the subject record of case % is not as this process last read it',
                p_case USING ERRCODE = '{NOT_AS_SEEN}';
        END
    $$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = str(bind.execute(sa.text("SELECT current_schema()")).scalar_one())
    op.execute(_function(schema))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS casetracker_subject_as_seen(text, text)")
