"""Alembic environment: runs on the connection casetracker hands it (``casetracker init``), or on
``$CASETRACKER_DB`` when a developer runs ``alembic`` from the repository root.

``target_metadata`` is the application's one MetaData, so ``alembic check`` and autogenerate
compare the declared tables with what the migrations made."""

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

# Importing the two table modules declares every table on SQLModel.metadata.
from casetracker.adapters import report_tables, tables  # noqa: F401
from casetracker.adapters.database import make_engine
from casetracker.paths import database_url

connection = context.config.attributes.get("connection")


def _run(conn: Connection) -> None:
    context.configure(connection=conn, target_metadata=SQLModel.metadata)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    with make_engine(database_url()).connect() as conn:
        _run(conn)
        conn.commit()
