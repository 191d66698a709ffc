"""PostgreSQL: the same force boundary and guards with fewer function calls per action (issue 18).

A police officer's note on PostgreSQL cost the server about three times what the client spent
waiting for it, and half of that was ``SECURITY DEFINER`` PL/pgSQL calls (``perf`` on the
login's backend, benchmarks/bench_postgres.py's action): each call switches the search path
and back and starts an executor for its one query, and a note made about thirty of them.  This
revision keeps every rule and removes calls:

- **Row-level security** (0012) asked ``(SELECT casetracker_sees_all())`` and
  ``(SELECT casetracker_my_force())`` once for each policy a statement applies - two calls per
  table read, updated or checked, 11-13 a note.  The policies now hold those two questions as
  sub-selects of their own, with the very SQL of the functions' bodies (``SEES_ALL`` and
  ``MY_FORCE`` below; the functions are re-created from the same text and stay for the guards
  and ``casetracker_case_withheld``).  They are still evaluated once per statement (uncorrelated
  sub-selects are InitPlans), so a login who sees everything still costs no call per row.  A
  policy is stored parsed: its tables, functions and operators are bound when it is created,
  so no ``search_path`` of a caller's reaches them; its sub-selects run as the caller, and read
  only ``users`` and ``meta``, which the application role may read anyway (``--grant-to``).
  ``casetracker_case_visible``, asked of each row, stays a ``SECURITY DEFINER`` function: it
  reads the guards' own schema, which no member can.
- **The event guard** (0012) looked the session user up through ``casetracker_holds`` and
  ``casetracker_my_force``; it now reads that user's row once (``SELECT ... INTO``: whether the
  stamped role is among the active user's roles, and their force), and asks
  ``casetracker_case_visible`` as before.  The system tick's exemption (0009) is tested on the
  stamp first and its sub-select run only for a tick's ``deadline_passed`` event: as one
  condition with the sub-select, PL/pgSQL planned it afresh for every event, the stamp's
  values making a custom plan look cheaper.
- **The free-text guard** (0007), deferred to the commit, asked ``casetracker_unchecked()``
  before anything else; an insert beside the event whose digests name it now passes before
  that question, since it passes whatever the answer.  Every row refused before is refused.

Measured with this revision (server CPU per note, perf samples, alternating with the previous
schema in one run): 0.97-1.01 ms -> 0.68-0.73 ms.  On SQLite it does nothing.  The downgrade
puts back revision 0012's policies and event guard and revision 0007's free-text guard.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

FORCE_BOUND = "police"  # casetracker.domain.identity.FORCE_BOUND_ROLES, frozen here (0012)
CASE_TABLES = ("events", "cases", "subjects", "subject_values", "worklist", "deadlines")
SEARCH_TABLE = "subject_search"  # 0016: seen and deleted only, as the case tables
READERS_ONLY = ("access_justifications",)  # 0012: rows only those who see all see
SEES_ALL = f"""EXISTS (
                    SELECT 1 FROM users WHERE name = session_user AND active
                    AND roles::jsonb - '{FORCE_BOUND}' <> '[]'::jsonb)
                    OR (SELECT value FROM meta WHERE key = 'realm') IS DISTINCT FROM 'live'"""
MY_FORCE = "(SELECT nullif(force, '') FROM users WHERE name = session_user AND active)"
VISIBLE = f"({SEES_ALL}) OR casetracker_case_visible(case_id, {MY_FORCE})"
IN_THIS_TRANSACTION = "xmin = pg_current_xact_id()::xid"
ERASE_ACTION = "erase_subject"  # casetracker.services.cases.ERASE_ACTION, frozen here


def _policies() -> dict[str, tuple[str, str]]:
    """Each policy's name: its table and its ``USING`` expression (the kinds of 0012 and 0016)."""
    found = {}
    for table in CASE_TABLES:
        for kind in ("seen", "changed", "deleted"):
            found[f"{table}_{kind}"] = (table, VISIBLE)
    for kind in ("seen", "deleted"):
        found[f"{SEARCH_TABLE}_{kind}"] = (SEARCH_TABLE, VISIBLE)
    for table in READERS_ONLY:
        for kind in ("seen", "changed", "deleted"):
            found[f"{table}_{kind}"] = (table, SEES_ALL)
    return found


def _functions(schema: str) -> dict[str, str]:
    """The two per-statement questions (same bodies as 0018's) and the two guards."""
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'

    def returning(kind: str, expression: str) -> str:
        return f"""RETURNS {kind} LANGUAGE plpgsql STABLE {fixed} AS $$
            BEGIN
                RETURN {expression};
            END
        $$"""

    return {
        "casetracker_sees_all()": returning("boolean", SEES_ALL),
        "casetracker_my_force()": returning("text", MY_FORCE),
        "casetracker_event_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            DECLARE
                actor text = split_part(NEW.stamp, chr(31), 1);
                acting_as text = split_part(NEW.stamp, chr(31), 2);
                v_workflow text = split_part(NEW.step, chr(31), 2);
                v_version int = split_part(NEW.step, chr(31), 3)::int;
                v_action text = split_part(NEW.step, chr(31), 5);
                v_holds boolean;  -- the active session user holds the stamped role
                v_force text;  -- casetracker_my_force()
            BEGIN
                IF actor = 'system' AND acting_as = 'system' AND v_action = 'deadline_passed' THEN
                    IF EXISTS (SELECT 1 FROM access_log
                        WHERE position > (SELECT coalesce(max(position), 0) FROM access_log) - 64
                        AND {IN_THIS_TRANSACTION} AND action = 'tick'
                        AND "user" = session_user) THEN
                        RETURN NEW;
                    END IF;
                END IF;
                SELECT roles::jsonb @> jsonb_build_array(acting_as), nullif(force, '')
                    INTO v_holds, v_force FROM users WHERE name = session_user AND active;
                IF (actor IS DISTINCT FROM session_user OR NOT coalesce(v_holds, false))
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'events: % may record events only as themselves, in a role '
                        'they hold (this one is stamped %, %)', session_user, actor, acting_as
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NOT EXISTS (SELECT 1 FROM casetracker_guard.action_roles r
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
                            IS DISTINCT FROM v_force
                    ELSE NOT casetracker_case_visible(NEW.case_id, v_force) END)
                   AND NOT casetracker_unchecked() THEN
                    RAISE EXCEPTION 'events: % may act only on cases of their own force',
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
        $$""",
        "casetracker_subject_value_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    IF EXISTS (
                        SELECT 1 FROM events WHERE case_id = NEW.case_id AND seq = NEW.seq
                        AND {IN_THIS_TRANSACTION}
                        AND payload::jsonb -> 'personal' ? (NEW.field || '@' || NEW.seq)) THEN
                        RETURN NULL;
                    END IF;
                END IF;
                IF casetracker_unchecked() THEN
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION 'subject_values: a value of case % is never changed',
                        OLD.case_id USING ERRCODE = 'insufficient_privilege';
                ELSIF TG_OP = 'DELETE' THEN
                    IF NOT EXISTS (SELECT 1 FROM events WHERE case_id = OLD.case_id
                        AND {IN_THIS_TRANSACTION}
                        AND split_part(step, chr(31), 5) = '{ERASE_ACTION}') THEN
                        RAISE EXCEPTION 'subject_values: case % loses values only by its '
                            '{ERASE_ACTION} event, in the same transaction', OLD.case_id
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                ELSE
                    RAISE EXCEPTION 'subject_values: % of case % is stored only with event % '
                        'that records it, in the same transaction', NEW.field, NEW.case_id,
                        NEW.seq USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END
        $$""",
    }


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for signature, definition in _functions(_schema()).items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {definition}")
    for name, (table, using) in _policies().items():
        op.execute(f"ALTER POLICY {name} ON {table} USING ({using})")


def _revision(name: str) -> ModuleType:
    """An earlier revision's module (their file names are not importable names)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    force_rows = _revision("0012_force_rows")
    op.execute(force_rows._event_guard(schema, checks=True))
    value_guard = "casetracker_subject_value_guard()"
    earlier = _revision("0007_subject_values")._functions(schema)[value_guard]
    op.execute(f"CREATE OR REPLACE FUNCTION {value_guard} {earlier}")
    plpgsql = _revision("0018_cheap_guards")._functions(schema)
    for signature in ("casetracker_sees_all()", "casetracker_my_force()"):
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {plpgsql[signature]}")
    readers_only = "(SELECT casetracker_sees_all())"  # 0012's
    for name, (table, _) in _policies().items():
        using = readers_only if table in READERS_ONLY else force_rows.VISIBLE
        op.execute(f"ALTER POLICY {name} ON {table} USING ({using})")
