"""Every table of the database, in one place.

The event log (``events``) and the access log (``access_log``) are append-only: the application
only inserts into them, and the database refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL)
through triggers created by the first migration.  The other tables are derived (``cases``, the
projection, and ``worklist``, a read model, both rebuilt by ``casetracker rebuild``) or
deliberately mutable (``subjects``: personal data that the law may require to be corrected or
erased; ``users``; ``meta``).  The report tables are in ``casetracker.adapters.report_tables``.

Alembic owns the schema: the migrations create it, and these models (with
``casetracker.adapters.report_tables``) say what the migrations create, on ``SQLModel.metadata``,
the one MetaData of the application.  tests/integration/test_models_match_migrations.py holds
the two to each other on SQLite and PostgreSQL: a column's type, nullability, index or server
default written here must be the one a migration created.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, UniqueConstraint

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
KEYED = "idempotency_key <> ''"  # the events a command's retry key is unique among
"""A global position: BIGINT, but on SQLite an INTEGER PRIMARY KEY, which is the rowid itself
(no second index, faster appends): what migration 0001 creates."""


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table a model declares (SQLModel sets ``__table__`` but does not type it)."""
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class Event(SQLModel, table=True):
    """One event, its hashed bytes held once (``casetracker.integrity.encoding.STORED_FIELDS``).

    ``step`` is realm, workflow, version, instance and action, and ``stamp`` is actor user,
    role, effective and recorded time, each joined by 0x1F as they are hashed.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),
        # an event recorded without a retry key has an empty one (migration 0027)
        sa.Index(
            "uq_events_idempotency_key",
            "idempotency_key",
            unique=True,
            sqlite_where=sa.text(KEYED),
            postgresql_where=sa.text(KEYED),
        ),
    )

    position: int = Field(
        primary_key=True, sa_type=POSITION, sa_column_kwargs={"autoincrement": False}
    )
    case_id: str = Field(max_length=64)
    seq: int
    step: str = Field(max_length=300)
    stamp: str = Field(max_length=300)
    idempotency_key: str = Field(max_length=128)
    payload: str = Field(sa_type=sa.Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class CaseRow(SQLModel, table=True):
    """The projection: each case's current state, written in the same transaction as its events."""

    __tablename__ = "cases"

    case_id: str = Field(primary_key=True, max_length=64)
    version: int
    head_hash: str = Field(max_length=64)
    head_position: int = Field(sa_type=sa.BigInteger)
    opened: str = Field(max_length=32)
    updated: str = Field(max_length=32)
    state: str = Field(sa_type=sa.Text)  # canonical JSON {instance key: state name}
    # Digest of the read-model rows last written for the case (``kept_rows.digest``); None
    # when not known, and then an action compares the rows themselves (migration 0026).
    rows_digest: str | None = Field(default=None, max_length=32)


class SubjectRow(SQLModel, table=True):
    """The subject's personal data, outside the log so it can be corrected or erased.

    Events carry ``HMAC-SHA256(salt, value)`` digests of these values; erasing the subject
    destroys the values and the salt, after which the digests in the chain reveal nothing.
    """

    __tablename__ = "subjects"

    case_id: str = Field(primary_key=True, max_length=64)
    salt: str | None = Field(default=None, max_length=64)
    data: str | None = Field(default=None, sa_type=sa.Text)  # canonical JSON {field: value}
    erased: str | None = Field(default=None, max_length=32)


class SubjectValueRow(SQLModel, table=True):
    """One event's free text (a note, a reason), personal data kept outside the log (migration
    0007): the event carries ``HMAC-SHA256(salt, "field@seq" || value)`` under its case's
    subject salt.  Insert-only, so a note costs one small row, not a rewrite of the subject's
    record; erasing the subject deletes its case's rows.
    """

    __tablename__ = "subject_values"
    __table_args__ = (
        sa.PrimaryKeyConstraint("case_id", "seq", "field", name="pk_subject_values"),
        {"sqlite_with_rowid": False},  # the key is the table: one b-tree to write per note
    )

    case_id: str = Field(primary_key=True, max_length=64)
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    field: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_type=sa.Text)  # canonical JSON of the value


class SubjectSearchRow(SQLModel, table=True):
    """A blind index of a subject's searchable values (migration 0016): one row per token,
    ``HMAC-SHA256(search key, field || normalised value)`` (casetracker.adapters.subject_search).
    Written with the subject record and deleted when it is erased, so no index outlives the
    person's data.
    """

    __tablename__ = "subject_search"
    __table_args__ = (
        sa.PrimaryKeyConstraint("token", "case_id", name="pk_subject_search"),
        sa.Index("ix_subject_search_case", "case_id"),
    )

    token: str = Field(primary_key=True, max_length=64)
    case_id: str = Field(primary_key=True, max_length=64)


class AccessJustificationRow(SQLModel, table=True):
    """The text of an access-log entry's justification (migration 0007), kept outside the
    chain: the entry hashes ``HMAC-SHA256(salt, "justification" || text)`` with this row's
    salt, and erasing the subject of the entry's case deletes the row.
    """

    __tablename__ = "access_justifications"

    position: int = Field(
        primary_key=True, sa_type=POSITION, sa_column_kwargs={"autoincrement": False}
    )
    case_id: str = Field(max_length=64, index=True)
    salt: str = Field(max_length=64)
    text: str = Field(sa_type=sa.Text)


class AccessRecord(SQLModel, table=True):
    """Who consulted or disclosed what, and who was refused: hash-chained, append-only."""

    __tablename__ = "access_log"

    position: int = Field(
        primary_key=True, sa_type=POSITION, sa_column_kwargs={"autoincrement": False}
    )
    recorded: str = Field(max_length=32)
    user: str = Field(max_length=128)
    role: str = Field(max_length=64)
    action: str = Field(max_length=64)
    case_id: str = Field(max_length=64, index=True)
    justification: str = Field(sa_type=sa.Text)
    detail: str = Field(sa_type=sa.Text)  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class OrganisationVersion(SQLModel, table=True):
    """One organisation file in force from ``effective``: its digest and canonical content,
    hash-chained and append-only (migration 0013; ``casetracker.adapters.organisation_log``)."""

    __tablename__ = "organisation_versions"

    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    digest: str = Field(max_length=64)
    source: str = Field(max_length=1024)
    content: str = Field(sa_type=sa.Text)  # the parsed file as canonical JSON
    effective: str = Field(max_length=64)  # in force from (UTC, canonical)
    recorded: str = Field(max_length=32)
    recorded_by: str = Field(max_length=128)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class MerkleNode(SQLModel, table=True):
    """One complete perfect subtree of a log's Merkle tree (migration 0010): RFC 9162 node
    hashing over the log's entry hashes, which are its leaves
    (``casetracker.adapters.merkle_tree``).  Append-only, like the logs."""

    __tablename__ = "merkle_nodes"
    __table_args__ = (
        sa.PrimaryKeyConstraint("tree", "level", "idx", name="pk_merkle_nodes"),
        {"sqlite_with_rowid": False},
    )

    tree: str = Field(primary_key=True, max_length=16)  # the log: events or access_log
    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    idx: int = Field(
        primary_key=True, sa_type=sa.BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    hash: str = Field(max_length=64)


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    name: str = Field(primary_key=True, max_length=128)
    display_name: str = Field(max_length=200)
    roles: str = Field(sa_type=sa.Text)  # canonical JSON list of role names
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # The police force a police user belongs to (a force code); empty for everyone else.
    force: str = Field(
        default="", max_length=16, sa_column_kwargs={"server_default": sa.text("''")}
    )
    # A police user who may authorise a PACE extension (four eyes, migration 0015; fn 17).
    superintendent: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class MetaRow(SQLModel, table=True):
    """Facts about the database itself: that it is ours; whether it is live, demo or training."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_type=sa.Text)


class WorklistRow(SQLModel, table=True):
    """One case's place in one queue (migration 0003), derived by ``casetracker.adapters.worklist``.

    ``due`` sorts by urgency; ``search`` is the lower-cased case id, force and label that a
    free-text filter scans.
    """

    __tablename__ = "worklist"
    __table_args__ = (
        sa.PrimaryKeyConstraint("queue", "case_id", "item", name="pk_worklist"),
        sa.Index("ix_worklist_queue_due", "queue", "deadline", "due", "case_id"),
        sa.Index("ix_worklist_queue_force_due", "queue", "force", "deadline", "due", "case_id"),
        sa.Index("ix_worklist_case", "case_id"),
        sa.Index("ix_worklist_owner", "owner", "deadline", "due", "case_id"),
    )

    queue: str = Field(primary_key=True, max_length=32)
    case_id: str = Field(primary_key=True, max_length=64)
    item: str = Field(primary_key=True, max_length=64)
    due: str = Field(max_length=32)
    force: str = Field(max_length=16)
    label: str = Field(max_length=200)
    search: str = Field(max_length=300)
    # Who holds the item (migration 0009), from claim, release and reassign events; "" nobody.
    owner: str = Field(
        default="", max_length=128, sa_column_kwargs={"server_default": sa.text("''")}
    )
    # The item's nearest deadline not yet passed (casetracker.domain.deadlines), NEVER if none:
    # a queue is ordered by it first.
    deadline: str = Field(
        default="9999-12-31T00:00:00Z",
        max_length=32,
        sa_column_kwargs={"server_default": "9999-12-31T00:00:00Z"},
    )
    # Which deadline that is (its ``Deadline.kind``, migration 0025), "" when none: shown beside
    # the time, and kept here because the ``deadlines`` table drops one recorded as passed.
    deadline_kind: str = Field(
        default="", max_length=32, sa_column_kwargs={"server_default": sa.text("''")}
    )


class DeadlineRow(SQLModel, table=True):
    """One deadline of a case not yet recorded as passed (migration 0009), derived by
    ``casetracker.adapters.deadlines`` from the case's events; ``tick`` reads the rows due by
    now as one index range."""

    __tablename__ = "deadlines"
    __table_args__ = (
        sa.PrimaryKeyConstraint("case_id", "kind", "item", "due", name="pk_deadlines"),
        sa.Index("ix_deadlines_due", "due", "case_id"),
    )

    case_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=32)
    item: str = Field(primary_key=True, max_length=64)
    due: str = Field(primary_key=True, max_length=32)
    force: str = Field(max_length=16)
    label: str = Field(max_length=200)


EVENTS = table_of(Event)
CASES = table_of(CaseRow)
SUBJECTS = table_of(SubjectRow)
SUBJECT_VALUES = table_of(SubjectValueRow)
SUBJECT_SEARCH = table_of(SubjectSearchRow)
ACCESS_LOG = table_of(AccessRecord)
ACCESS_JUSTIFICATIONS = table_of(AccessJustificationRow)
MERKLE_NODES = table_of(MerkleNode)
ORGANISATION_VERSIONS = table_of(OrganisationVersion)
USERS = table_of(UserRow)
META = table_of(MetaRow)
WORKLIST = table_of(WorklistRow)
DEADLINES = table_of(DeadlineRow)
APPEND_ONLY_TABLES = ("events", "access_log", "organisation_versions")
