"""Free text and access-log justifications in erasable tables of their own (issue 13).

``subject_values`` holds each event's free text (a note, a reason), one row per value, keyed by
case, sequence number and field.  Until now these values were ``field@seq`` keys of the case's
one JSON record in ``subjects``, which every note re-read and rewrote, growing with every note.
The upgrade moves those keys out of ``subjects.data`` into rows, value for value: the digests in
the chain are computed over the key and the value, not over the record, so no stored hash
changes and every chain still verifies.

``access_justifications`` holds the text of an access-log entry's justification (format
``casetracker/access/2``, docs/event-format.md), keyed by the entry's position, with the salt
of the digest the entry hashes instead of the text; it is deleted with the subject of the
entry's case.  Entries written before this revision keep their text in the chain (format 1).

On PostgreSQL the guards of migration 0006 are extended to both tables, for members of the
application role (not the owner, superusers, demo or training databases):

- a ``subject_values`` row is inserted only beside the event of that case and sequence number,
  in the same transaction, whose personal digests name that value (``field@seq``);
- an ``access_justifications`` row is inserted only beside its own access-log entry, by the same
  user, in the same transaction;
- a row of either table is deleted only beside its case's ``erase_subject`` event in the same
  transaction, and never updated.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ERASE_ACTION = "erase_subject"  # casetracker.services.cases.ERASE_ACTION, frozen here
IN_THIS_TRANSACTION = "xmin = pg_current_xact_id()::xid"
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _erasing(case_column: str) -> str:
    """SQL true when this transaction recorded the case's erasure event."""
    return (
        f"EXISTS (SELECT 1 FROM events WHERE case_id = {case_column} AND {IN_THIS_TRANSACTION} "
        f"AND split_part(step, chr(31), 5) = '{ERASE_ACTION}')"
    )


def _functions(schema: str) -> dict[str, str]:
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    return {
        "casetracker_subject_value_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF casetracker_unchecked() THEN
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION 'subject_values: a value of case % is never changed',
                        OLD.case_id USING ERRCODE = 'insufficient_privilege';
                ELSIF TG_OP = 'DELETE' THEN
                    IF NOT {_erasing("OLD.case_id")} THEN
                        RAISE EXCEPTION 'subject_values: case % loses values only by its '
                            '{ERASE_ACTION} event, in the same transaction', OLD.case_id
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                ELSIF NOT EXISTS (
                    SELECT 1 FROM events WHERE case_id = NEW.case_id AND seq = NEW.seq
                    AND {IN_THIS_TRANSACTION}
                    AND payload::jsonb -> 'personal' ? (NEW.field || '@' || NEW.seq)) THEN
                    RAISE EXCEPTION 'subject_values: % of case % is stored only with event % '
                        'that records it, in the same transaction', NEW.field, NEW.case_id,
                        NEW.seq USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END
        $$""",
        "casetracker_justification_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF casetracker_unchecked() THEN
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION 'access_justifications: entry % is never changed',
                        OLD.position USING ERRCODE = 'insufficient_privilege';
                ELSIF TG_OP = 'DELETE' THEN
                    IF OLD.case_id = '' OR NOT {_erasing("OLD.case_id")} THEN
                        RAISE EXCEPTION 'access_justifications: entry % is deleted only by the '
                            '{ERASE_ACTION} event of its case, in the same transaction',
                            OLD.position USING ERRCODE = 'insufficient_privilege';
                    END IF;
                ELSIF NOT EXISTS (
                    SELECT 1 FROM access_log WHERE position = NEW.position
                    AND case_id = NEW.case_id AND "user" = session_user
                    AND {IN_THIS_TRANSACTION}) THEN
                    RAISE EXCEPTION 'access_justifications: entry % is stored only with its own '
                        'access-log entry, logged by % in the same transaction', NEW.position,
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NULL;
            END
        $$""",
    }


TRIGGERS = {
    "subject_values_guard": "AFTER INSERT OR UPDATE OR DELETE ON subject_values "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION casetracker_subject_value_guard()",
    "access_justifications_guard": "AFTER INSERT OR UPDATE OR DELETE ON access_justifications "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
    "EXECUTE FUNCTION casetracker_justification_guard()",
}


SUBJECTS = sa.table("subjects", sa.column("case_id", sa.String), sa.column("data", sa.Text))
VALUES = sa.table(
    "subject_values",
    sa.column("case_id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("field", sa.String),
    sa.column("value", sa.Text),
)


def _move_free_text() -> None:
    """Each ``field@seq`` key of a subject record becomes a row; the record keeps the rest."""
    bind = op.get_bind()
    subjects, values = SUBJECTS, VALUES
    found = bind.execute(
        sa.select(subjects.c.case_id, subjects.c.data).where(subjects.c.data.like("%@%"))
    ).all()
    for case_id, data in found:
        try:
            record = json.loads(data)
        except ValueError:
            continue  # damaged: verify reports it as it stands
        if not isinstance(record, dict):
            continue
        rows, kept = [], {}
        for key, value in record.items():
            name, _, seq = key.partition("@")
            if seq.isdigit() and name:
                rows.append({"case_id": case_id, "seq": int(seq), "field": name,
                             "value": _canonical(value)})  # fmt: skip
            else:
                kept[key] = value
        if rows:
            bind.execute(values.insert(), rows)
            bind.execute(
                subjects.update().where(subjects.c.case_id == case_id).values(data=_canonical(kept))
            )


def _restore_free_text() -> None:
    """The downgrade's way back: each row becomes a ``field@seq`` key of its subject record."""
    bind = op.get_bind()
    by_case: dict[str, dict[str, object]] = {}
    for case_id, seq, field, value in bind.execute(sa.select(VALUES)):
        by_case.setdefault(case_id, {})[f"{field}@{seq}"] = json.loads(value)
    for case_id, free_text in by_case.items():
        data = bind.execute(
            sa.select(SUBJECTS.c.data).where(SUBJECTS.c.case_id == case_id)
        ).scalar_one_or_none()
        if data is not None:
            record = {**json.loads(data), **free_text}
            bind.execute(
                SUBJECTS.update()
                .where(SUBJECTS.c.case_id == case_id)
                .values(data=_canonical(record))
            )


def _canonical(value: object) -> str:
    """casetracker.integrity.encoding.canonical_json, frozen here."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def upgrade() -> None:
    op.create_table(
        "subject_values",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "seq", "field", name="pk_subject_values"),
        sqlite_with_rowid=False,  # the key is the table: one b-tree to write per note, not two
    )
    op.create_table(
        "access_justifications",
        sa.Column("position", POSITION, nullable=False, autoincrement=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_index("ix_access_justifications_case_id", "access_justifications", ["case_id"])
    _move_free_text()
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for signature, definition in _functions(schema).items():
        op.execute(f"CREATE FUNCTION {signature} {definition}")
    for name, definition in TRIGGERS.items():
        op.execute(f"CREATE CONSTRAINT TRIGGER {name} {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, definition in TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name} ON {definition.split(' ON ')[1].split()[0]}")
        for signature in _functions("public"):
            op.execute(f"DROP FUNCTION {signature.split('(')[0]}")
    _restore_free_text()
    op.drop_index("ix_access_justifications_case_id", table_name="access_justifications")
    op.drop_table("access_justifications")
    op.drop_table("subject_values")
