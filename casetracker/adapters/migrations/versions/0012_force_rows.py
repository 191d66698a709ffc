"""PostgreSQL: force boundaries by row-level security, and each action only in its roles (issue 13).

Revision 0006 holds a member of the application role to their own name and roles; this one
holds them, through psql as through casetracker, to their force and to the workflow
definitions' roles.  On SQLite it does nothing (a file's readers are its owner's processes).

- ``casetracker_guard``, a schema of the guards' own, which the application role cannot even
  look into: ``case_forces`` (each case's forces as ``casetracker.domain.forces.case_forces``
  sees them: the opening's ``force`` and each encounter's, latest value wins), kept by a
  ``SECURITY DEFINER`` trigger on every insert into ``events`` and filled here from the log; and
  ``action_roles`` (workflow, version, action, role), written by ``casetracker init`` from the
  definitions it ships (``schema.sync_action_roles``).  Neither is a model of the application:
  only the guard functions read them, so the models-match-migrations comparison (which reflects
  the tables' own schema) does not see them, as it does not see triggers.
- Row-level security on ``events``, ``cases``, ``subjects``, ``subject_values``, ``worklist``
  and ``deadlines``: a row is seen, changed or deleted only when its case is visible to
  ``session_user`` (``casetracker_case_visible``) or the user sees every case
  (``casetracker_sees_all``: holds a role not bound to a force, or is unchecked as in 0006).
  Inserting is not filtered (a new case has no force yet; the event guard decides).
  ``access_justifications`` (reasons given for reading) are seen only by those who see all.
- ``casetracker_last_position()`` and ``casetracker_last_case_id()``: the global chain's last
  position and the highest case id, which a police login, seeing only its force's rows, needs
  to append (``casetracker.adapters.store`` asks them on PostgreSQL).
- The event guard also refuses an event whose action the stamped role may not take under its
  definition version, a police event on a case outside the officer's force, and a case a
  police officer opens for any force but their own.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

GUARD = "casetracker_guard"
FORCE_BOUND = "police"  # casetracker.domain.identity.FORCE_BOUND_ROLES, frozen here
FORCE_WORKFLOWS = ("case", "encounter")  # casetracker.domain.forces: the opening, each arrest
SYSTEM = "system"  # 0009: a deadline_passed event from a tick
PASSED_ACTION = "deadline_passed"
TICK_ACTION = "tick"
IN_THIS_TRANSACTION = "xmin = pg_current_xact_id()::xid"
ERASE_ACTION = "erase_subject"  # casetracker.services.cases.ERASE_ACTION
EXPORT = "export"  # casetracker.adapters.subjects.EXPORT_ACTION
ERASE_REASON = "erase-reason"  # casetracker.adapters.access_log.ERASE_REASON_ACTION
CASE_TABLES = ("events", "cases", "subjects", "subject_values", "worklist", "deadlines")
READERS_ONLY = ("access_justifications",)  # rows no force-bound login sees


def _functions(schema: str) -> dict[str, str]:
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    return {
        # Row-level security passes over the tables' owner and superusers by itself, so of
        # casetracker_unchecked() (0006) only the realm is asked here: a catalog lookup saved
        # on every statement of every action.
        "casetracker_sees_all()": f"""RETURNS boolean LANGUAGE sql STABLE {fixed} AS $$
            SELECT EXISTS (
                SELECT 1 FROM users WHERE name = session_user AND active
                AND roles::jsonb - '{FORCE_BOUND}' <> '[]'::jsonb)
                OR (SELECT value FROM meta WHERE key = 'realm') IS DISTINCT FROM 'live'
        $$""",
        "casetracker_my_force()": f"""RETURNS text LANGUAGE sql STABLE {fixed} AS $$
            SELECT nullif(force, '') FROM users WHERE name = session_user AND active
        $$""",
        "casetracker_case_visible(p_case text, p_force text)": f"""RETURNS boolean
            LANGUAGE sql STABLE {fixed} AS $$
            SELECT EXISTS (
                SELECT 1 FROM {GUARD}.case_forces f
                WHERE f.case_id = p_case AND f.force = p_force
                AND (f.workflow = 'encounter' OR NOT EXISTS (
                    SELECT 1 FROM {GUARD}.case_forces e WHERE e.case_id = p_case
                    AND e.workflow = 'encounter' AND e.force <> '')))
        $$""",
        "casetracker_last_position()": f"""RETURNS bigint LANGUAGE sql STABLE {fixed} AS $$
            SELECT max(position) FROM events
        $$""",
        "casetracker_last_case_id(p_low text, p_high text)": f"""RETURNS text LANGUAGE sql
            STABLE {fixed} AS $$
            SELECT max(case_id) FROM cases WHERE case_id >= p_low AND case_id < p_high
        $$""",
        "casetracker_note_force()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            DECLARE
                v_workflow text = split_part(NEW.step, chr(31), 2);
                given text;
            BEGIN
                IF v_workflow IN {FORCE_WORKFLOWS} AND strpos(NEW.payload, '"force"') > 0 THEN
                    given = NEW.payload::jsonb -> 'fields' ->> 'force';
                    IF given IS NOT NULL THEN
                        INSERT INTO {GUARD}.case_forces (case_id, workflow, instance, force)
                        VALUES (NEW.case_id, v_workflow, split_part(NEW.step, chr(31), 4)::int,
                                upper(btrim(given)))
                        ON CONFLICT (case_id, workflow, instance)
                        DO UPDATE SET force = EXCLUDED.force;
                    END IF;
                END IF;
                RETURN NULL;
            END
        $$""",
    }


def _event_guard(schema: str, checks: bool) -> str:
    """Revision 0009's event guard; with ``checks``, also the role per action and the force."""
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    added = f"""
                IF NOT EXISTS (SELECT 1 FROM {GUARD}.action_roles r
                               WHERE r.workflow = v_workflow AND r.version = v_version
                               AND r.action = v_action AND r.role = acting_as)
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'events: the % role may not take % (% version %) by the '
                        'workflow definitions `casetracker init` recorded', acting_as, v_action,
                        v_workflow, v_version USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF acting_as = '{FORCE_BOUND}' AND (
                    CASE WHEN NEW.seq = 1 THEN
                        upper(btrim(NEW.payload::jsonb -> 'fields' ->> 'force'))
                            IS DISTINCT FROM casetracker_my_force()
                    ELSE NOT casetracker_case_visible(NEW.case_id, casetracker_my_force()) END)
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'events: % may act only on cases of their own force',
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;"""
    return f"""CREATE OR REPLACE FUNCTION casetracker_event_guard() RETURNS trigger
            LANGUAGE plpgsql {fixed} AS $$
            DECLARE
                actor text = split_part(NEW.stamp, chr(31), 1);
                acting_as text = split_part(NEW.stamp, chr(31), 2);
                v_workflow text = split_part(NEW.step, chr(31), 2);
                v_version int = split_part(NEW.step, chr(31), 3)::int;
                v_action text = split_part(NEW.step, chr(31), 5);
            BEGIN
                IF actor = '{SYSTEM}' AND acting_as = '{SYSTEM}' AND v_action = '{PASSED_ACTION}'
                   AND EXISTS (SELECT 1 FROM access_log
                       WHERE position > (SELECT coalesce(max(position), 0) FROM access_log) - 64
                       AND {IN_THIS_TRANSACTION} AND action = '{TICK_ACTION}'
                       AND "user" = session_user) THEN
                    RETURN NEW;
                END IF;
                IF (actor <> session_user OR NOT casetracker_holds(actor, acting_as))
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'events: % may record events only as themselves, in a role '
                        'they hold (this one is stamped %, %)', session_user, actor, acting_as
                        USING ERRCODE = 'insufficient_privilege';
                END IF;{added if checks else ""}
                RETURN NEW;
            END
        $$"""


def _justification_guard(schema: str, extended: bool) -> str:
    """Revision 0007's guard of the reasons given for reading; ``extended`` also lets a
    reason go with an export that took an erased case, and an admin erase a reason given for
    a read of no case, logging it as ``erase-reason`` in the same transaction (issue 13)."""
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    erasing = (
        f"EXISTS (SELECT 1 FROM events WHERE case_id = OLD.case_id AND {IN_THIS_TRANSACTION} "
        f"AND split_part(step, chr(31), 5) = '{ERASE_ACTION}')"
    )
    if extended:
        sibling_erased = (
            f"EXISTS (SELECT 1 FROM events WHERE case_id = sibling.case_id "
            f"AND {IN_THIS_TRANSACTION} AND split_part(step, chr(31), 5) = '{ERASE_ACTION}')"
        )
        erasing = f"""((OLD.case_id <> '' AND {erasing})
                        OR EXISTS (SELECT 1 FROM access_log mine JOIN access_log sibling
                            ON sibling.justification = mine.justification
                            AND sibling.action = mine.action AND sibling.justification <> ''
                            WHERE mine.position = OLD.position AND mine.action = '{EXPORT}'
                            AND {sibling_erased})
                        OR (OLD.case_id = '' AND EXISTS (SELECT 1 FROM access_log
                            WHERE position > (SELECT max(position) FROM access_log) - 64
                            AND {IN_THIS_TRANSACTION} AND action = '{ERASE_REASON}'
                            AND "user" = session_user AND role = 'admin'
                            AND detail::jsonb ->> 'position' = OLD.position::text)))"""
    else:
        erasing = f"(OLD.case_id <> '' AND {erasing})"
    return f"""CREATE OR REPLACE FUNCTION casetracker_justification_guard() RETURNS trigger
            LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF casetracker_unchecked() THEN
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION 'access_justifications: entry % is never changed',
                        OLD.position USING ERRCODE = 'insufficient_privilege';
                ELSIF TG_OP = 'DELETE' THEN
                    IF NOT {erasing} THEN
                        RAISE EXCEPTION 'access_justifications: entry % is deleted only by the '
                            '{ERASE_ACTION} event of its case, in the same transaction',
                            OLD.position USING ERRCODE = 'insufficient_privilege';
                    END IF;
                ELSIF NOT EXISTS (
                    SELECT 1 FROM access_log WHERE position = NEW.position
                    AND case_id = NEW.case_id AND "user" = session_user
                    AND {IN_THIS_TRANSACTION}) THEN
                    RAISE EXCEPTION 'access_justifications: entry % is stored only with its own '
                        'access-log entry, logged by % in the same transaction', NEW.position,
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END
        $$"""


# Both sub-selects are evaluated once per statement (an InitPlan), not once per row.
VISIBLE = (
    "(SELECT casetracker_sees_all()) "
    "OR casetracker_case_visible(case_id, (SELECT casetracker_my_force()))"
)


def _policies(table: str) -> dict[str, str]:
    seen = "(SELECT casetracker_sees_all())" if table in READERS_ONLY else VISIBLE
    return {
        f"{table}_seen": f"FOR SELECT USING ({seen})",
        f"{table}_changed": f"FOR UPDATE USING ({seen})",
        f"{table}_deleted": f"FOR DELETE USING ({seen})",
        f"{table}_added": "FOR INSERT WITH CHECK (true)",
    }


BACKFILL = f"""INSERT INTO {GUARD}.case_forces (case_id, workflow, instance, force)
    SELECT DISTINCT ON (case_id, split_part(step, chr(31), 2), split_part(step, chr(31), 4))
        case_id, split_part(step, chr(31), 2), split_part(step, chr(31), 4)::int,
        upper(btrim(payload::jsonb -> 'fields' ->> 'force'))
    FROM events
    WHERE split_part(step, chr(31), 2) IN {FORCE_WORKFLOWS}
    AND payload::jsonb -> 'fields' ? 'force'
    ORDER BY case_id, split_part(step, chr(31), 2), split_part(step, chr(31), 4), position DESC"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    # Only this revision creates it, so one found here is left from a schema dropped without
    # its downgrade (DROP SCHEMA public CASCADE): its rows describe no case of this database.
    op.execute(f"DROP SCHEMA IF EXISTS {GUARD} CASCADE")
    op.execute(f"CREATE SCHEMA {GUARD}")
    op.execute(f"REVOKE ALL ON SCHEMA {GUARD} FROM PUBLIC")
    op.execute(
        f"""CREATE TABLE {GUARD}.case_forces (case_id varchar(64) NOT NULL,
            workflow varchar(64) NOT NULL, instance integer NOT NULL, force varchar(64) NOT NULL,
            PRIMARY KEY (case_id, workflow, instance))"""
    )
    op.execute(
        f"""CREATE TABLE {GUARD}.action_roles (workflow varchar(64) NOT NULL,
            version integer NOT NULL, action varchar(64) NOT NULL, role varchar(64) NOT NULL,
            PRIMARY KEY (workflow, version, action, role))"""
    )
    op.execute(BACKFILL)
    for signature, definition in _functions(schema).items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {definition}")
    op.execute(_event_guard(schema, checks=True))
    op.execute(_justification_guard(schema, extended=True))
    op.execute(
        "CREATE TRIGGER events_force AFTER INSERT ON events FOR EACH ROW "
        "EXECUTE FUNCTION casetracker_note_force()"
    )
    # An upgrade from before 0007 has moved free text in this transaction, whose deferred
    # guards must fire before the tables are altered (PostgreSQL refuses to alter a table with
    # trigger events pending); the owner's changes pass them.
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in (*CASE_TABLES, *READERS_ONLY):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name, policy in _policies(table).items():
            op.execute(f"CREATE POLICY {name} ON {table} {policy}")
    op.execute("SET CONSTRAINTS ALL DEFERRED")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in (*CASE_TABLES, *READERS_ONLY):
        for name in _policies(table):
            op.execute(f"DROP POLICY {name} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP TRIGGER events_force ON events")
    for signature in _functions("public"):
        op.execute(f"DROP FUNCTION {signature.split('(')[0]}")
    op.execute(f"DROP SCHEMA {GUARD} CASCADE")
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(_event_guard(schema, checks=False))
    op.execute(_justification_guard(schema, extended=False))
