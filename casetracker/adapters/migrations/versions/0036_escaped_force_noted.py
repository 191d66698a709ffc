"""PostgreSQL: a case's force is kept however its event's JSON spells the key ``force``.

The trigger that keeps each case's forces for row-level security (``casetracker_note_force``,
revision 0012) parses an event's payload only when its text holds ``"force"``, which spares
the parse for most events.  The event guard parses the payload itself, and so does the
service: through psql a police officer could open a case whose payload spelt the key with a
JSON escape (``{"fields": {"\\u0066orce": "MPS"}}``), which the guard and the service read as
the force ``MPS`` and the trigger skipped, so that the case had no force for row-level security
- hidden from every police login, its own force's too - while the service counted it a case of
that force; an encounter typed the same way named a force the service counted and the database
did not (found by review).  The trigger now also parses a payload that holds a ``\\u`` escape,
which casetracker never writes (its JSON is UTF-8 text), so what it records is what the JSON
says.  No event casetracker writes costs more than one more ``strpos``.  On SQLite it does
nothing; the downgrade puts back revision 0012's trigger function.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

FUNCTION = "casetracker_note_force()"
SPARED = """strpos(NEW.payload, '"force"') > 0 THEN"""
SPARED_NOW = """(strpos(NEW.payload, '"force"') > 0
                                                   OR strpos(NEW.payload, '\\u') > 0) THEN"""


def _revision(name: str) -> ModuleType:
    """An earlier revision's module (their file names are not importable names)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _functions(schema: str) -> tuple[str, str]:
    """Revision 0012's trigger function, and the same parsing an escaped payload too."""
    earlier = _revision("0012_force_rows")._functions(schema)[FUNCTION]
    assert earlier.count(SPARED) == 1
    return earlier, earlier.replace(SPARED, SPARED_NOW)


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one())


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE OR REPLACE FUNCTION {FUNCTION} {_functions(_schema())[1]}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE OR REPLACE FUNCTION {FUNCTION} {_functions(_schema())[0]}")
