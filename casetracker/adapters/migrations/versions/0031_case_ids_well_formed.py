"""PostgreSQL: a new case's id is allocated from well-formed ids only, and past C-9999999.

Case ids are allocated as one more than the highest in ``cases`` (``store.allocate_case_id``),
taken in text order through ``casetracker_last_case_id`` (revision 0012; a police login does
not see other forces' rows).  Through psql a member could put a ``cases`` row ``C-9x`` there,
which made every later opening fail on its number until a rebuild; or open a case in their own
name as ``C-9999999``, after which the next case was ``C-10000000`` and every one after it was
refused, since in text order ``C-9999999`` stayed the highest (found by review).  Without any
attacker the same had happened once a log held 9,999,999 cases.

``casetracker_last_case_id`` now answers the highest id of seven digits (what
``store.format_case_id`` writes below ten million), and ``casetracker_case_id_taken`` whether
an id is in use, whoever's force it is, for the search past C-9999999 that
``allocate_case_id`` makes.  Both ``SECURITY DEFINER`` with a fixed ``search_path``, as 0012's.
SQLite's query changes with the code.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

LAST = "casetracker_last_case_id(p_low text, p_high text)"
TAKEN = "casetracker_case_id_taken(p_case text)"


def _fixed(schema: str) -> str:
    return f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'


def _last(schema: str, well_formed: bool) -> str:
    seven_digits = "AND case_id ~ '^C-[0-9]{7}$'" if well_formed else ""
    return f"""RETURNS text LANGUAGE plpgsql STABLE {_fixed(schema)} AS $$
        BEGIN
            RETURN (SELECT case_id FROM cases WHERE case_id >= p_low AND case_id < p_high
                    {seven_digits} ORDER BY case_id DESC LIMIT 1);
        END
    $$"""


def _taken(schema: str) -> str:
    return f"""RETURNS boolean LANGUAGE plpgsql STABLE {_fixed(schema)} AS $$
        BEGIN
            RETURN EXISTS (SELECT 1 FROM cases WHERE case_id = p_case);
        END
    $$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(f"CREATE OR REPLACE FUNCTION {LAST} {_last(schema, True)}")
    op.execute(f"CREATE OR REPLACE FUNCTION {TAKEN} {_taken(schema)}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(f"DROP FUNCTION {TAKEN}")
    op.execute(f"CREATE OR REPLACE FUNCTION {LAST} {_last(schema, False)}")
