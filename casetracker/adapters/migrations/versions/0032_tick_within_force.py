"""PostgreSQL: a tick's ``system`` event is a passed deadline of a case the login may see.

The event guard lets in an event stamped ``system`` in the ``system`` role when it is a
``deadline_passed`` and the same transaction logged a ``tick`` in the login's own name
(revisions 0009, 0023): that is how ``casetracker tick``, run by any member, records passed
deadlines.  The path returned before every other check, so a police officer could, through
psql, log a tick of their own and then record a ``deadline_passed`` on another force's case;
in the ``encounter`` lifecycle with a ``force`` field naming their own force, the trigger that
keeps each case's forces (0012) gave that case an encounter in it, and row-level security then
showed the officer all of the case - its events, subject record and notes (found by review).

The path now also asks what a tick writes: the ``work`` lifecycle, whose events name no force
(as 0029's key guard already asks of a tick's key), on a case the login may see
(``casetracker_sees_all()``, or ``casetracker_case_visible`` for their force) - a tick run by a
police login finds only its own force's deadlines.  Anything else stamped ``system`` falls
through to the checks of any other event, which refuse it (the stamp is not the login's).  The
questions are asked only of such an event, so a note costs nothing more.  On SQLite it does
nothing; the downgrade puts back revision 0023's guard.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

GUARD = "casetracker_event_guard()"
WORK = "work"  # workflows/work.py: the lifecycle of a tick's deadline_passed (0029)
TICK_PATH = "IF actor = 'system' AND acting_as = 'system' AND v_action = 'deadline_passed' THEN"
TICK_PATH_NOW = (
    f"IF actor = 'system' AND acting_as = 'system' AND v_action = 'deadline_passed'\n"
    f"                   AND v_workflow = '{WORK}' THEN"
)
TICK_FOUND = 'AND "user" = session_user) THEN'
TICK_FOUND_NOW = (
    'AND "user" = session_user)\n'
    "                       AND (casetracker_sees_all() OR casetracker_unchecked()\n"
    "                            OR casetracker_case_visible(NEW.case_id, casetracker_my_force()))"
    " THEN"
)


def _revision(name: str) -> ModuleType:
    """An earlier revision's module (their file names are not importable names)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _guards(schema: str) -> tuple[str, str]:
    """Revision 0023's event guard, and the same with the tick's path narrowed."""
    earlier = _revision("0023_guards_fewer_calls")._functions(schema)[GUARD]
    assert earlier.count(TICK_PATH) == 1 and earlier.count(TICK_FOUND) == 1
    return earlier, earlier.replace(TICK_PATH, TICK_PATH_NOW).replace(TICK_FOUND, TICK_FOUND_NOW)


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE OR REPLACE FUNCTION {GUARD} {_guards(_schema())[1]}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE OR REPLACE FUNCTION {GUARD} {_guards(_schema())[0]}")
