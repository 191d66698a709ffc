"""PostgreSQL: only the tick's own event may carry a tick's idempotency key.

``casetracker tick`` records each passed deadline as a ``system`` event under a key anyone can
work out (``deadline:`` and the SHA-256 of the case and the deadline,
``casetracker.services.work.idempotency_key``), so that two machines ticking at once record it
once.  A member who recorded anything else under that key first - a note through the service
or an event typed into psql, each in their own name - made every later tick refused ("already
used for another request") at that case's batch, so that no deadline of it, or of any case
after it, was recorded as passed again (found by review).  The service refuses such a key
(``casetracker.services.work.check_request_key``); here a ``BEFORE INSERT`` trigger refuses, as
the other guards do (``insufficient_privilege``, so the service logs the refusal), an event
whose key begins ``deadline:`` unless it is a ``deadline_passed`` of the ``work`` lifecycle
stamped ``system`` in the ``system`` role, which the event guard (revision 0009) lets only a
tick write.  The trigger's ``WHEN`` looks at the key alone, so no other event calls it.

On SQLite, one account's file, the command line's refusal is the guard.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

PREFIX = "deadline:"  # casetracker.services.work.idempotency_key, frozen here
SYSTEM = "system"  # casetracker.domain.identity.SYSTEM_USER and SYSTEM_ROLE
PASSED = "deadline_passed"  # workflows/work.py
WORK = "work"
FUNCTION = "casetracker_deadline_key_guard()"
TRIGGER = "events_deadline_key_guard"


def _function(schema: str) -> str:
    fixed = f'SET search_path = "{schema}", pg_temp'
    return f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
        BEGIN
            IF split_part(NEW.stamp, chr(31), 1) <> '{SYSTEM}'
               OR split_part(NEW.stamp, chr(31), 2) <> '{SYSTEM}'
               OR split_part(NEW.step, chr(31), 2) <> '{WORK}'
               OR split_part(NEW.step, chr(31), 5) <> '{PASSED}' THEN
                RAISE EXCEPTION 'events: idempotency keys beginning % are kept for the '
                    'passed deadlines casetracker tick records', '{PREFIX}'
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
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON events FOR EACH ROW "
        f"WHEN (left(NEW.idempotency_key, {len(PREFIX)}) = '{PREFIX}') "
        f"EXECUTE FUNCTION {FUNCTION}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TRIGGER} ON events")
        op.execute(f"DROP FUNCTION {FUNCTION}")
