"""Deadlines that fire and named owners (issue 16, items 1 and 2).

- ``deadlines``: a read model of every deadline a case's events give that has not yet been
  recorded as passed (``casetracker.domain.deadlines``); ``casetracker tick`` reads the rows due
  by now as one index range (``ix_deadlines_due``) and records each as a system event.
- ``worklist`` gains ``owner`` (who holds the item, from claim, release and reassign events;
  empty when nobody does) and ``deadline`` (the item's nearest pending deadline, ``NEVER`` when it
  has none), and its indexes order each queue by deadline first; ``ix_worklist_owner`` serves
  "My work".
- PostgreSQL: the event guard of revision 0006 also accepts an event stamped ``system`` in the
  ``system`` role, but only a ``deadline_passed`` event, and only in a transaction that has
  logged a ``tick`` in the access log as the session's own login in a role it holds (the access
  log's guard checks that): no login is ``system``, so nobody can act as it otherwise.  A
  statement-level trigger NOTIFYs ``casetracker_events`` on every insert into ``events``, which
  the TUI LISTENs for.

The two tables are derived: existing rows get the defaults here; run ``casetracker rebuild`` once
after upgrading so that every case's deadlines and owners are filed.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NEVER = "9999-12-31T00:00:00Z"  # casetracker.domain.queues.NEVER, frozen here
SYSTEM = "system"  # casetracker.domain.deadlines.SYSTEM_USER and SYSTEM_ROLE
PASSED_ACTION = "deadline_passed"  # workflows/work.py
TICK_ACTION = "tick"  # the access-log action of a tick run
IN_THIS_TRANSACTION = "xmin = pg_current_xact_id()::xid"
NOTIFY_CHANNEL = "casetracker_events"


def _event_guard(schema: str, system_clause: bool) -> str:
    """Revision 0006's event guard; with ``system_clause``, system events from a tick too."""
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    system = (
        f"""
                IF actor = '{SYSTEM}' AND acting_as = '{SYSTEM}'
                   AND split_part(NEW.step, chr(31), 5) = '{PASSED_ACTION}'
                   AND EXISTS (SELECT 1 FROM access_log
                       WHERE position > (SELECT coalesce(max(position), 0) FROM access_log) - 64
                       AND {IN_THIS_TRANSACTION} AND action = '{TICK_ACTION}'
                       AND "user" = session_user) THEN
                    RETURN NEW;
                END IF;"""
        if system_clause
        else ""
    )
    return f"""CREATE OR REPLACE FUNCTION casetracker_event_guard() RETURNS trigger
            LANGUAGE plpgsql {fixed} AS $$
            DECLARE
                actor text = split_part(NEW.stamp, chr(31), 1);
                acting_as text = split_part(NEW.stamp, chr(31), 2);
            BEGIN{system}
                IF (actor <> session_user OR NOT casetracker_holds(actor, acting_as))
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'events: % may record events only as themselves, in a role '
                        'they hold (this one is stamped %, %)', session_user, actor, acting_as
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
        $$"""


def upgrade() -> None:
    op.create_table(
        "deadlines",
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("due", sa.String(32), nullable=False),
        sa.Column("force", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "kind", "item", "due", name="pk_deadlines"),
    )
    op.create_index("ix_deadlines_due", "deadlines", ["due", "case_id"])
    with op.batch_alter_table("worklist") as table:
        table.add_column(
            sa.Column("owner", sa.String(128), nullable=False, server_default=sa.text("''"))
        )
        table.add_column(sa.Column("deadline", sa.String(32), nullable=False, server_default=NEVER))
        table.drop_index("ix_worklist_queue_due")
        table.drop_index("ix_worklist_queue_force_due")
        table.create_index("ix_worklist_queue_due", ["queue", "deadline", "due", "case_id"])
        table.create_index(
            "ix_worklist_queue_force_due", ["queue", "force", "deadline", "due", "case_id"]
        )
        table.create_index("ix_worklist_owner", ["owner", "deadline", "due", "case_id"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(_event_guard(schema, system_clause=True))
    fixed = f'SET search_path = "{schema}", pg_temp'
    op.execute(
        f"""CREATE FUNCTION casetracker_notify_events() RETURNS trigger LANGUAGE plpgsql {fixed}
            AS $$ BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); RETURN NULL; END $$"""
    )
    op.execute(
        "CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT "
        "EXECUTE FUNCTION casetracker_notify_events()"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_notify ON events")
        op.execute("DROP FUNCTION casetracker_notify_events")
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        op.execute(_event_guard(schema, system_clause=False))
    with op.batch_alter_table("worklist") as table:
        table.drop_index("ix_worklist_owner")
        table.drop_index("ix_worklist_queue_force_due")
        table.drop_index("ix_worklist_queue_due")
        table.create_index("ix_worklist_queue_force_due", ["queue", "force", "due", "case_id"])
        table.create_index("ix_worklist_queue_due", ["queue", "due", "case_id"])
        table.drop_column("deadline")
        table.drop_column("owner")
    op.drop_index("ix_deadlines_due", "deadlines")
    op.drop_table("deadlines")
