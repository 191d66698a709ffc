"""The guard functions row-level security and the event guard call on every statement stay
as they were made to be (migrations 0006, 0012, 0018): ``SECURITY DEFINER`` with the search
path fixed, ``STABLE``, owned by the tables' owner - and in PL/pgSQL, which keeps its plans,
not ``LANGUAGE sql``, whose body PostgreSQL plans again on every call of a definer function
(issue 18 item 5).  What they decide is tested by the other test_postgres_* files."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casetracker.adapters.database import make_engine
from casetracker.services.setup import create_database

pytestmark = pytest.mark.postgres

CALLED_PER_STATEMENT = (
    "casetracker_unchecked",
    "casetracker_holds",
    "casetracker_sees_all",
    "casetracker_my_force",
    "casetracker_case_visible",
    "casetracker_last_position",
    "casetracker_last_case_id",
)


def test_guard_functions_are_fixed_definers_that_keep_their_plans(pg_url: str) -> None:
    create_database(pg_url, "live", ("admin",))
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            found = {
                row.proname: row
                for row in conn.execute(
                    sa.text(
                        "SELECT p.proname, l.lanname, p.prosecdef, p.provolatile, p.proconfig, "
                        "pg_get_userbyid(p.proowner) AS owner, "
                        "(SELECT pg_get_userbyid(relowner) FROM pg_class "
                        " WHERE oid = 'events'::regclass) AS tables_owner "
                        "FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
                        "WHERE p.proname = ANY(:names)"
                    ),
                    {"names": list(CALLED_PER_STATEMENT)},
                )
            }
    finally:
        engine.dispose()
    assert sorted(found) == sorted(CALLED_PER_STATEMENT)
    for name, row in found.items():
        assert row.lanname == "plpgsql", name
        assert row.prosecdef, name
        assert row.provolatile == "s", name  # STABLE: the calling statement's snapshot
        assert any(c.startswith("search_path=") for c in row.proconfig or ()), name
        assert row.owner == row.tables_owner, name
