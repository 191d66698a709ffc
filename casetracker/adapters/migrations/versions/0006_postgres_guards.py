"""On PostgreSQL the database itself refuses what the service would refuse (issue 13).

A member of the application role can reach the tables with psql, bypassing the service.  These
guards hold them to what casetracker itself enforces (docs/postgresql.md explains the choice):

- ``events`` and ``access_log``: a ``BEFORE INSERT`` trigger (asking who is exempt only when the
  row fails the check, so a member's own row costs one lookup) refuses a row whose actor is not
  ``session_user`` (the login, which ``SET ROLE`` does not change) or whose role that user, active
  in ``users``, does not hold.  A refusal (``denied``) is logged in one's own name in whatever
  role was asked for, held or not: that is what it records.
- ``users``: the application role keeps only ``SELECT``; a user is registered or changed through
  ``casetracker_save_user``, a ``SECURITY DEFINER`` function that lets only an active admin in.
  A deferred constraint trigger then refuses, at commit, any change to ``users`` that the same
  transaction did not log as ``user-save`` in the access log, by the same admin, for that user.
- ``subjects``: a deferred constraint trigger refuses, at commit, a subject record that was
  created or changed without an event of that case in the same transaction carrying personal
  digests, or erased without an ``erase_subject`` event of that case in the same transaction.
  An erased record never changes again.

"In the same transaction" means the row's ``xmin`` is the current transaction's id: nobody can
forge it (a transaction-local setting could be set by anyone with ``SET LOCAL``).

The guards do not check the tables' owner or a superuser, who run ``init``, the migrations and
register the first admin, and who could drop the triggers anyway; nor demo and training
databases, where anyone may act as a seeded user with ``--as``.  Every function has a fixed
``search_path`` (the schema the tables are in, then ``pg_temp`` last), so a temporary table or
function of the caller's cannot stand in for ours.

On SQLite this revision does nothing: a file's readers are its owner's processes, and the
effective uid is the identity (casetracker.adapters.users).  No stored row or hash changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ERASE_ACTION = "erase_subject"  # casetracker.services.cases.ERASE_ACTION, frozen here
SAVE_USER_ACTION = "user-save"  # the access-log action of Casetracker.save_user
REFUSAL_ACTION = "denied"  # the access-log action of every logged refusal
IN_THIS_TRANSACTION = "xmin = pg_current_xact_id()::xid"


def _functions(schema: str) -> dict[str, str]:
    """Each function's signature and the rest of its definition, the search path fixed."""
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    return {
        "casetracker_unchecked()": f"""RETURNS boolean LANGUAGE sql STABLE {fixed} AS $$
            SELECT session_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
                                   WHERE oid = 'events'::regclass)
                OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
                OR (SELECT value FROM meta WHERE key = 'realm') IS DISTINCT FROM 'live'
        $$""",
        "casetracker_holds(p_user text, p_role text)": f"""RETURNS boolean LANGUAGE sql
            STABLE {fixed} AS $$
            SELECT EXISTS (SELECT 1 FROM users WHERE name = p_user AND active
                           AND roles::jsonb @> jsonb_build_array(p_role))
        $$""",
        "casetracker_event_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            DECLARE
                actor text = split_part(NEW.stamp, chr(31), 1);
                acting_as text = split_part(NEW.stamp, chr(31), 2);
            BEGIN
                IF (actor <> session_user OR NOT casetracker_holds(actor, acting_as))
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'events: % may record events only as themselves, in a role '
                        'they hold (this one is stamped %, %)', session_user, actor, acting_as
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
        $$""",
        "casetracker_access_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF (NEW."user" <> session_user
                    OR (NEW.action <> '{REFUSAL_ACTION}'
                        AND NOT casetracker_holds(NEW."user", NEW.role)))
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'access_log: % may log only their own access, in a role '
                        'they hold (this entry names %, %)', session_user, NEW."user", NEW.role
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
        $$""",
        "casetracker_subject_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF casetracker_unchecked() THEN
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' AND OLD.erased IS NOT NULL THEN
                    RAISE EXCEPTION 'subjects: the personal data of case % was erased',
                        NEW.case_id USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NEW.erased IS NOT NULL THEN
                    IF NEW.salt IS NOT NULL OR NEW.data IS NOT NULL OR NOT EXISTS (
                        SELECT 1 FROM events WHERE case_id = NEW.case_id
                        AND {IN_THIS_TRANSACTION}
                        AND split_part(step, chr(31), 5) = '{ERASE_ACTION}') THEN
                        RAISE EXCEPTION 'subjects: case % is erased only by its {ERASE_ACTION} '
                            'event, in the same transaction', NEW.case_id
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                ELSIF (TG_OP = 'UPDATE' AND NEW.salt IS DISTINCT FROM OLD.salt) OR NOT EXISTS (
                    SELECT 1 FROM events WHERE case_id = NEW.case_id AND {IN_THIS_TRANSACTION}
                    AND payload::jsonb ? 'personal') THEN
                    RAISE EXCEPTION 'subjects: the personal data of case % changes only with an '
                        'event recording it, in the same transaction', NEW.case_id
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END
        $$""",
        "casetracker_save_user(p_name text, p_display_name text, p_roles text, "
        "p_force text DEFAULT NULL)": f"""RETURNS void LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF NOT (casetracker_unchecked() OR casetracker_holds(session_user, 'admin')) THEN
                    RAISE EXCEPTION 'users: only an active admin may manage users (% is not one)',
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF jsonb_typeof(p_roles::jsonb) <> 'array' THEN
                    RAISE EXCEPTION 'users: roles are a JSON list, not %', p_roles;
                END IF;
                INSERT INTO users (name, display_name, roles, active, force)
                VALUES (p_name, p_display_name, p_roles, true, coalesce(p_force, ''))
                ON CONFLICT (name) DO UPDATE SET display_name = EXCLUDED.display_name,
                    roles = EXCLUDED.roles, active = true,
                    force = coalesce(p_force, users.force);
            END
        $$""",
        "casetracker_user_change_logged()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF NOT casetracker_unchecked() AND NOT EXISTS (
                    SELECT 1 FROM access_log
                    WHERE position > (SELECT coalesce(max(position), 0) FROM access_log) - 64
                    AND {IN_THIS_TRANSACTION} AND action = '{SAVE_USER_ACTION}'
                    AND "user" = session_user AND detail::jsonb ->> 'name' = NEW.name) THEN
                    RAISE EXCEPTION 'users: the change to % was not logged by the admin who '
                        'made it (%)', NEW.name, session_user
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END
        $$""",
    }


TRIGGERS = {
    "events_guard": "BEFORE INSERT ON events FOR EACH ROW "
    "EXECUTE FUNCTION casetracker_event_guard()",
    "access_log_guard": "BEFORE INSERT ON access_log FOR EACH ROW "
    "EXECUTE FUNCTION casetracker_access_guard()",
    "subjects_guard": "AFTER INSERT OR UPDATE ON subjects DEFERRABLE INITIALLY DEFERRED "
    "FOR EACH ROW EXECUTE FUNCTION casetracker_subject_guard()",
    "users_logged": "AFTER INSERT OR UPDATE ON users DEFERRABLE INITIALLY DEFERRED "
    "FOR EACH ROW EXECUTE FUNCTION casetracker_user_change_logged()",
}
CONSTRAINT_TRIGGERS = ("subjects_guard", "users_logged")

# Everyone but the owner loses the right to write ``users`` directly (grants made by
# ``init --grant-to`` before this revision); ``casetracker_save_user`` is the way in.
REVOKE_USER_WRITES = """DO $$
DECLARE grantee text;
BEGIN
    FOR grantee IN SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
        WHERE g.table_schema = current_schema() AND g.table_name = 'users'
        AND g.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
        AND g.grantee <> (SELECT pg_get_userbyid(relowner) FROM pg_class
                          WHERE oid = 'users'::regclass)
    LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON users FROM %I', grantee);
    END LOOP;
END $$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for signature, definition in _functions(schema).items():
        op.execute(f"CREATE FUNCTION {signature} {definition}")
    for name, definition in TRIGGERS.items():
        kind = "CONSTRAINT TRIGGER" if name in CONSTRAINT_TRIGGERS else "TRIGGER"
        op.execute(f"CREATE {kind} {name} {definition}")
    op.execute(REVOKE_USER_WRITES)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, definition in TRIGGERS.items():
        op.execute(f"DROP TRIGGER {name} ON {definition.split(' ON ')[1].split()[0]}")
    for signature in reversed(_functions("public")):
        op.execute(f"DROP FUNCTION {signature.split('(')[0]}")
