"""On PostgreSQL only an admin records a version of the organisation file, in their own name.

``organisation_versions`` (revision 0013) decides which rules and shifts were in force when, and
since revision 0015 whether the Home Office's four eyes apply: a member of the application role
who could insert a row through psql could switch four eyes off or re-date a shift pattern.  The
service lets only an admin run ``casetracker organisation record``; this trigger makes the
database say the same: a row is refused unless ``session_user`` is an active admin and the row's
``recorded_by`` is ``session_user``.  ``casetracker_unchecked()`` (revision 0006) exempts the
owner, superusers, demo and training databases, as for every guard, so ``casetracker init`` run
by the owner still records the file in use.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

FUNCTION = "casetracker_organisation_guard()"
TRIGGER = "organisation_versions_guard"


def _function(schema: str) -> str:
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    return f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
        BEGIN
            IF casetracker_unchecked() THEN
                RETURN NEW;
            END IF;
            IF NOT casetracker_holds(session_user, 'admin') THEN
                RAISE EXCEPTION 'organisation_versions: only an active admin records the '
                    'organisation file (% is not one)', session_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.recorded_by IS DISTINCT FROM session_user THEN
                RAISE EXCEPTION 'organisation_versions: % may record a version only in their '
                    'own name, not %', session_user, NEW.recorded_by
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
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON organisation_versions "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TRIGGER} ON organisation_versions")
        op.execute(f"DROP FUNCTION {FUNCTION.split('(')[0]}")
