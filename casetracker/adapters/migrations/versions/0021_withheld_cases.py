"""PostgreSQL: whether row-level security withheld a case from the login, so the refusal is logged.

Row-level security (revision 0012) answers a police login's read of another force's case with no
rows, so the service found "no such case" and, unlike on SQLite, logged no refusal (issue 13:
every refusal is in the access log).  ``casetracker_case_withheld(case_id)`` tells the service
that the case is in the log but not visible to ``session_user``: then the attempt is logged as
refused, and the user is still told "unknown case".

What it discloses to a member who calls it through psql: that a case id was allocated, which
``casetracker_last_case_id()`` (0012) already answers (case ids are allocated in sequence and
the log keeps every case), nothing of the case itself.  It is ``SECURITY DEFINER`` because the
login cannot see the rows it asks about; it reads only through the guard functions of 0012 and
0018, its ``search_path`` is fixed, and it writes nothing.  On SQLite it does nothing.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

FUNCTION = "casetracker_case_withheld(p_case text)"


def _function(schema: str) -> str:
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    return f"""RETURNS boolean LANGUAGE plpgsql STABLE {fixed} AS $$
        BEGIN
            RETURN EXISTS (SELECT 1 FROM events WHERE case_id = p_case)
                AND NOT casetracker_unchecked()
                AND NOT casetracker_sees_all()
                AND NOT casetracker_case_visible(p_case, casetracker_my_force());
        END
    $$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(f"CREATE OR REPLACE FUNCTION {FUNCTION} {_function(schema)}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION {FUNCTION}")
