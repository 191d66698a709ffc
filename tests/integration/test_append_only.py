"""The database itself refuses to edit history, whoever asks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casetracker.adapters.database import make_engine
from casetracker.adapters.schema import grant_app_role
from tests.helpers import new_service

STATEMENTS = {
    "UPDATE": "UPDATE {t} SET {c} = {c}",
    "DELETE": "DELETE FROM {t}",
}


@pytest.fixture
def filled(db_url):
    ct = new_service(db_url)
    case_id = ct.open_case({"name": "P"}, "2014-01-01").case_id
    ct.show(case_id)  # one access-log entry
    yield ct
    ct.close()


@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
@pytest.mark.parametrize(("table", "column"), [("events", "payload"), ("access_log", "detail")])
def test_update_and_delete_are_refused(filled, verb, table, column):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), filled.engine.begin() as conn:
        conn.execute(sa.text(STATEMENTS[verb].format(t=table, c=column)))
    with filled.engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() >= 1


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["events", "access_log"])
def test_truncate_is_refused_on_postgres(pg_url, table):
    ct = new_service(pg_url)
    ct.show(ct.open_case({"name": "P"}).case_id)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), ct.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {table}"))
    ct.close()


@pytest.mark.postgres
def test_application_role_cannot_edit_or_unprotect_history(pg_url):
    """docs/postgresql.md: the app connects as a role that does not own the tables."""
    new_service(pg_url).close()
    role = "ct_app_" + pg_url.rsplit("_", 1)[-1][:8]
    owner = make_engine(pg_url)
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    grant_app_role(owner, role)
    app = make_engine(sa.engine.make_url(pg_url).set(username=role).render_as_string(False))
    try:
        with app.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar() >= 0
        for statement in (
            "UPDATE events SET payload = payload",
            "DELETE FROM events",
            "TRUNCATE events",
            "DROP TRIGGER events_no_change ON events",
            "ALTER TABLE events DISABLE TRIGGER ALL",
            "DROP TABLE events",
        ):
            with pytest.raises(sa.exc.DatabaseError), app.begin() as conn:
                conn.execute(sa.text(statement))
    finally:
        app.dispose()
        with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
            conn.execute(sa.text(f'REVOKE ALL ON SCHEMA public FROM "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        owner.dispose()
