"""PostgreSQL: the guard functions of revisions 0006 and 0012 in PL/pgSQL, same rules, cheaper.

Row-level security (0012) asks ``casetracker_sees_all()`` and ``casetracker_my_force()`` once
per table a statement reads (an InitPlan) and ``casetracker_case_visible(case, force)`` for
each row; the event guard asks ``casetracker_holds``, ``casetracker_unchecked``,
``casetracker_my_force`` and ``casetracker_case_visible`` for each event.  Each was a
``LANGUAGE sql`` function, and a SQL function that is ``SECURITY DEFINER`` with a fixed
``search_path`` is never inlined: PostgreSQL (before 18) parses and plans its body again on
every statement that calls it.  That planning was most of what row-level security and the
guards added to a caseworker action (measured server side, police login: the head read
0.46 -> 0.25 ms, the free-text insert 0.22 -> 0.10 ms, the event insert 0.34 -> 0.16 ms, the
cases update 0.36 -> 0.13 ms; benchmarks/bench_postgres.py).  The same bodies in PL/pgSQL keep
their plans for the session.

Nothing they decide changes: each function returns what its SQL form returned, for the same
rows, still ``STABLE`` (the calling statement's snapshot), ``SECURITY DEFINER`` with the
search path fixed, owned by the tables' owner and callable as before (``CREATE OR REPLACE``
keeps the owner and the privileges).  tests/security/test_postgres_*.py hold the rules.
On SQLite it does nothing.  The downgrade puts the SQL forms back from revisions 0006 and 0012.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

GUARD = "casetracker_guard"  # revision 0012's schema
FORCE_BOUND = "police"  # casetracker.domain.identity.FORCE_BOUND_ROLES, frozen here (0012)
REPLACED = {  # each function, and the revision whose SQL form the downgrade restores
    "casetracker_unchecked()": "0006_postgres_guards",
    "casetracker_holds(p_user text, p_role text)": "0006_postgres_guards",
    "casetracker_sees_all()": "0012_force_rows",
    "casetracker_my_force()": "0012_force_rows",
    "casetracker_case_visible(p_case text, p_force text)": "0012_force_rows",
    "casetracker_last_position()": "0012_force_rows",
    "casetracker_last_case_id(p_low text, p_high text)": "0012_force_rows",
}


def _functions(schema: str) -> dict[str, str]:
    """Each function's signature and the rest of its definition: 0006's and 0012's bodies,
    each as one ``RETURN`` of PL/pgSQL."""
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'

    def returning(kind: str, expression: str) -> str:
        return f"""RETURNS {kind} LANGUAGE plpgsql STABLE {fixed} AS $$
            BEGIN
                RETURN {expression};
            END
        $$"""

    return {
        "casetracker_unchecked()": returning(
            "boolean",
            """session_user = (SELECT pg_get_userbyid(relowner) FROM pg_class
                                       WHERE oid = 'events'::regclass)
                    OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user),
                                false)
                    OR (SELECT value FROM meta WHERE key = 'realm') IS DISTINCT FROM 'live'""",
        ),
        "casetracker_holds(p_user text, p_role text)": returning(
            "boolean",
            """EXISTS (SELECT 1 FROM users WHERE name = p_user AND active
                               AND roles::jsonb @> jsonb_build_array(p_role))""",
        ),
        "casetracker_sees_all()": returning(
            "boolean",
            f"""EXISTS (
                    SELECT 1 FROM users WHERE name = session_user AND active
                    AND roles::jsonb - '{FORCE_BOUND}' <> '[]'::jsonb)
                    OR (SELECT value FROM meta WHERE key = 'realm') IS DISTINCT FROM 'live'""",
        ),
        "casetracker_my_force()": returning(
            "text",
            "(SELECT nullif(force, '') FROM users WHERE name = session_user AND active)",
        ),
        "casetracker_case_visible(p_case text, p_force text)": returning(
            "boolean",
            f"""EXISTS (
                    SELECT 1 FROM {GUARD}.case_forces f
                    WHERE f.case_id = p_case AND f.force = p_force
                    AND (f.workflow = 'encounter' OR NOT EXISTS (
                        SELECT 1 FROM {GUARD}.case_forces e WHERE e.case_id = p_case
                        AND e.workflow = 'encounter' AND e.force <> '')))""",
        ),
        "casetracker_last_position()": returning("bigint", "(SELECT max(position) FROM events)"),
        "casetracker_last_case_id(p_low text, p_high text)": returning(
            "text",
            "(SELECT max(case_id) FROM cases WHERE case_id >= p_low AND case_id < p_high)",
        ),
    }


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for signature, definition in _functions(_schema()).items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {definition}")


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
    earlier = {name: _revision(name)._functions(schema) for name in set(REPLACED.values())}
    for signature, name in REPLACED.items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {earlier[name][signature]}")
