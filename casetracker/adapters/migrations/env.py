"""Alembic environment: runs on the connection casetracker hands it (``casetracker init``), or on
``$CASETRACKER_DB`` when a developer runs ``alembic`` from the repository root."""

from alembic import context

from casetracker.adapters.database import make_engine
from casetracker.paths import database_url

connection = context.config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    with make_engine(database_url()).connect() as conn:
        _run(conn)
        conn.commit()
