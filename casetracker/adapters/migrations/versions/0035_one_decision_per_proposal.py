"""PostgreSQL: a proposal is decided once, whatever sessions race to decide it.

The four-eyes guard (revision 0015) refuses an ``authorise_proposal`` of a proposal already
authorised or rejected by looking for that decision in ``events``.  A transaction does not see
another's uncommitted rows, and a member typing into psql takes no advisory lock (the service's
writers do), so two sessions - one member's, or two authorisers' - could each authorise the same
proposal and record the action after it, and both commit: one proposal of detention, two
detentions (found by review; ``verify`` named the second authorisation afterwards).

Each decision is now also a row of ``casetracker_guard.decisions`` (case, proposal instance),
inserted by the guard with the decision's event.  Its primary key makes the second session wait
for the first and then find the row, and the guard refuses it as already decided; if the first
rolls back, the second goes through.  ``reject_proposal`` takes its row the same way.  The table
is the guards' own (no member has ``USAGE`` on the schema), filled on upgrade from the log's
decisions, and read by nothing else.  Only decisions pay for it, and only one insert.  On SQLite
it does nothing; the downgrade drops the table and puts back revision 0015's guard.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""

import importlib.util
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

GUARD = "casetracker_four_eyes_guard()"
TABLE = "casetracker_guard.decisions"
US = "chr(31)"
# casetracker.domain.four_eyes, frozen here (as in 0015)
WORKFLOW = "authorisation"
AUTHORISE = "authorise_proposal"
REJECT = "reject_proposal"
DECIDED = f"""INSERT INTO {TABLE} (case_id, instance) VALUES (NEW.case_id, v_instance)
                        ON CONFLICT DO NOTHING;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'events: proposal % of case % is already decided',
                            v_instance, NEW.case_id USING ERRCODE = 'insufficient_privilege';
                    END IF;"""
# what changes in revision 0015's text, each found exactly once
ENTRY = f"IF v_action NOT IN ('{AUTHORISE}', "
ENTRY_NOW = f"IF v_action NOT IN ('{AUTHORISE}', '{REJECT}', "
AUTHORISE_BRANCH = f"IF v_action = '{AUTHORISE}' THEN"
REJECT_BRANCH = f"""IF v_action = '{REJECT}' THEN
                    {DECIDED}
                    RETURN NEW;
                END IF;
                {AUTHORISE_BRANCH}"""
AUTHORISED = """'authorises a PACE extension', actor
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    RETURN NEW;"""
AUTHORISED_NOW = f"""'authorises a PACE extension', actor
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    {DECIDED}
                    RETURN NEW;"""


def _revision(name: str) -> ModuleType:
    """An earlier revision's module (their file names are not importable names)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _guards(schema: str) -> tuple[str, str]:
    """Revision 0015's four-eyes guard, and the same taking each decision's row."""
    earlier = _revision("0015_four_eyes")._functions(schema)[GUARD]
    now = earlier
    for old, new in (
        (ENTRY, ENTRY_NOW),
        (AUTHORISE_BRANCH, REJECT_BRANCH),
        (AUTHORISED, AUTHORISED_NOW),
    ):
        assert now.count(old) == 1, old
        now = now.replace(old, new)
    return earlier, now


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE TABLE {TABLE} (case_id varchar(64) NOT NULL, instance text NOT NULL, "
        "PRIMARY KEY (case_id, instance))"
    )
    op.execute(
        f"INSERT INTO {TABLE} (case_id, instance) "
        f"SELECT DISTINCT case_id, split_part(step, {US}, 4) FROM events "
        f"WHERE split_part(step, {US}, 2) = '{WORKFLOW}' "
        f"AND split_part(step, {US}, 5) IN ('{AUTHORISE}', '{REJECT}')"
    )
    op.execute(f"CREATE OR REPLACE FUNCTION {GUARD} {_guards(_schema())[1]}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE OR REPLACE FUNCTION {GUARD} {_guards(_schema())[0]}")
    op.execute(f"DROP TABLE {TABLE}")
