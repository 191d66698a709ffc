"""Every table of the database, in one place.

The event log (``events``) and the access log (``access_log``) are append-only: the application
only inserts into them, and the database refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL)
through triggers created by the first migration.  The other tables are derived (``cases``, the
projection, rebuilt by ``casetracker rebuild``) or deliberately mutable (``subjects``: personal
data that the law may require to be corrected or erased; ``users``; ``meta``).

Alembic owns the schema: these models describe it for queries, the migrations create it.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel, UniqueConstraint


class Event(SQLModel, table=True):
    """One event, its hashed bytes held once (``casetracker.integrity.encoding.STORED_FIELDS``).

    ``step`` is realm, workflow, version, instance and action, and ``stamp`` is actor user,
    role, effective and recorded time, each joined by 0x1F as they are hashed.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
        UniqueConstraint("idempotency_key", name="uq_events_idempotency_key"),
    )

    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    case_id: str = Field(max_length=64)
    seq: int
    step: str = Field(max_length=300)
    stamp: str = Field(max_length=300)
    idempotency_key: str = Field(max_length=128)
    payload: str
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class CaseRow(SQLModel, table=True):
    """The projection: each case's current state, written in the same transaction as its events."""

    __tablename__ = "cases"

    case_id: str = Field(primary_key=True, max_length=64)
    version: int
    head_hash: str = Field(max_length=64)
    head_position: int
    opened: str = Field(max_length=32)
    updated: str = Field(max_length=32)
    state: str  # canonical JSON {instance key: state name}


class SubjectRow(SQLModel, table=True):
    """The subject's personal data, outside the log so it can be corrected or erased.

    Events carry ``HMAC-SHA256(salt, value)`` digests of these values; erasing the subject
    destroys the values and the salt, after which the digests in the chain reveal nothing.
    """

    __tablename__ = "subjects"

    case_id: str = Field(primary_key=True, max_length=64)
    salt: str | None = Field(default=None, max_length=64)
    data: str | None = None  # canonical JSON {field: value}
    erased: str | None = Field(default=None, max_length=32)


class AccessRecord(SQLModel, table=True):
    """Who consulted or disclosed what, and who was refused: hash-chained, append-only."""

    __tablename__ = "access_log"

    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    recorded: str = Field(max_length=32)
    user: str = Field(max_length=128)
    role: str = Field(max_length=64)
    action: str = Field(max_length=64)
    case_id: str = Field(max_length=64, index=True)
    justification: str
    detail: str  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    name: str = Field(primary_key=True, max_length=128)
    display_name: str = Field(max_length=200)
    roles: str  # canonical JSON list of role names
    active: bool = True


class MetaRow(SQLModel, table=True):
    """Facts about the database itself: that it is ours; whether it is live, demo or training."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str


EVENTS = Event.__table__
CASES = CaseRow.__table__
SUBJECTS = SubjectRow.__table__
ACCESS_LOG = AccessRecord.__table__
USERS = UserRow.__table__
META = MetaRow.__table__
APPEND_ONLY_TABLES = ("events", "access_log")
