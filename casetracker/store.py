"""The event store: append-only, hash-chained per case, with optimistic concurrency.

The store can append events and read them; nothing in it edits or removes one, and the database
refuses to as well.  Each append states the case version the caller saw; if another event got
there first the append fails with a ``Conflict`` naming it, and writes nothing.  A command
retried with the same idempotency key is recorded once: the retry gets the original events back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from casetracker import clock
from casetracker.canonical import EVENT_FIELDS, GENESIS, canonical_json, check_text, event_hash
from casetracker.database import read_transaction, write_transaction
from casetracker.errors import Conflict, DatabaseError, IdempotencyMismatch, UnknownCase
from casetracker.events import NewEvent, RecordedEvent
from casetracker.projection import Projector
from casetracker.tables import CASES, EVENTS

CASE_PREFIX = "C-"
_COLUMNS = [EVENTS.c[name] for name in (*EVENT_FIELDS, "hash")]
_INSERT_SQL = (
    f"INSERT INTO events ({', '.join((*EVENT_FIELDS, 'hash'))}) "
    f"VALUES ({', '.join(['?'] * (len(EVENT_FIELDS) + 1))})"
)


@dataclass(frozen=True)
class CaseHead:
    case_id: str
    version: int
    head_hash: str
    state: dict[str, str]
    opened: str
    updated: str


def format_case_id(number: int) -> str:
    return f"{CASE_PREFIX}{number:07d}"


class EventStore:
    def __init__(self, engine: Engine, realm: str, projector: Projector) -> None:
        self.engine = engine
        self.realm = realm
        self.projector = projector
        self._paramstyle_qmark = engine.dialect.paramstyle == "qmark"

    # ------------------------------------------------------------------ writing

    def allocate_case_id(self, conn: Connection) -> str:
        """The next free case id; call inside the write transaction that will use it."""
        last = conn.execute(
            sa.select(CASES.c.case_id)
            .where(CASES.c.case_id >= CASE_PREFIX, CASES.c.case_id < CASE_PREFIX[:-1] + ".")
            .order_by(CASES.c.case_id.desc())
            .limit(1)
        ).scalar()
        return format_case_id(int(last[len(CASE_PREFIX) :]) + 1 if last else 1)

    def append(
        self,
        case_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        conn: Connection | None = None,
    ) -> list[RecordedEvent]:
        """Append to a case if it is still at ``expected_version`` (0 starts a new case).

        A retried command (same idempotency keys) returns the events it recorded the first time.
        """
        if conn is None:
            with write_transaction(self.engine) as conn:
                return self.append(case_id, expected_version, events, conn)
        keys = [(e.idempotency_key, e.workflow, e.action) for e in events if e.idempotency_key]
        replay = self.recorded_for_keys(conn, keys) if keys else None
        if replay:
            if len(replay) != len(events):
                raise IdempotencyMismatch(
                    "some of these idempotency keys were used before, some not"
                )
            return replay
        if expected_version == 0:
            if conn.execute(
                sa.select(EVENTS.c.seq).where(EVENTS.c.case_id == case_id).limit(1)
            ).first():
                newer = self._event_at(conn, case_id, 1)
                raise Conflict(case_id, 0, -1, describe(newer) if newer else "")
            return self._append(conn, case_id, 0, GENESIS, {}, None, events)
        row = conn.execute(
            sa.select(EVENTS.c.seq, EVENTS.c.hash, CASES.c.state, CASES.c.version, CASES.c.opened)
            .select_from(EVENTS.outerjoin(CASES, CASES.c.case_id == EVENTS.c.case_id))
            .where(EVENTS.c.case_id == case_id)
            .order_by(EVENTS.c.seq.desc())
            .limit(1)
        ).first()
        if row is None:
            raise UnknownCase(case_id)
        seq, head, state_text, projected_version, opened = row
        if expected_version != seq:
            newer = self._event_at(conn, case_id, expected_version + 1)
            raise Conflict(case_id, expected_version, seq, describe(newer) if newer else "")
        if projected_version != seq:
            raise DatabaseError(
                f"the current-state table is out of step with the log for case {case_id}: "
                "run `casetracker rebuild`"
            )
        return self._append(conn, case_id, seq, head, json.loads(state_text), opened, events)

    def _append(
        self,
        conn: Connection,
        case_id: str,
        seq: int,
        head: str,
        state: dict[str, str],
        opened: str | None,
        events: Sequence[NewEvent],
    ) -> list[RecordedEvent]:
        if not events:
            raise ValueError("nothing to append")
        position = conn.execute(sa.select(sa.func.max(EVENTS.c.position))).scalar() or 0
        recorded = clock.utc_now_text()
        rows: list[RecordedEvent] = []
        for new in events:
            seq += 1
            position += 1
            self.projector.apply(
                state, new.workflow, new.workflow_version, new.instance, new.action
            )
            values = self._values(position, case_id, seq, recorded, new, head)
            head = event_hash(values)
            rows.append(RecordedEvent(*values, head))
        try:
            self._insert(conn, rows)
        except IntegrityError as exc:
            raise Conflict(
                case_id, seq - len(rows), seq, f"a concurrent write ({exc.orig})"
            ) from None
        state_text = canonical_json(state)
        if opened is None:
            conn.execute(
                CASES.insert().values(
                    case_id=case_id,
                    version=seq,
                    head_hash=head,
                    head_position=position,
                    opened=recorded,
                    updated=recorded,
                    state=state_text,
                )
            )
        else:
            conn.execute(
                CASES.update()
                .where(CASES.c.case_id == case_id)
                .values(
                    version=seq,
                    head_hash=head,
                    head_position=position,
                    updated=recorded,
                    state=state_text,
                )
            )
        return rows

    def _values(
        self, position: int, case_id: str, seq: int, recorded: str, new: NewEvent, prev: str
    ) -> tuple[object, ...]:
        for name in ("workflow", "action", "actor_user", "actor_role", "effective"):
            check_text(name, getattr(new, name))
        key = check_text("idempotency key", new.idempotency_key or uuid.uuid4().hex)
        return (
            position,
            case_id,
            seq,
            self.realm,
            new.workflow,
            new.workflow_version,
            new.instance,
            new.action,
            new.actor_user,
            new.actor_role,
            new.effective,
            recorded,
            key,
            canonical_json(new.payload),
            prev,
        )

    def _insert(self, conn: Connection, rows: list[RecordedEvent]) -> None:
        params = [tuple(getattr(r, c.name) for c in _COLUMNS) for r in rows]
        if self._paramstyle_qmark:
            conn.exec_driver_sql(_INSERT_SQL, params)
        else:
            conn.execute(
                EVENTS.insert(), [dict(zip(EVENTS.c.keys(), p, strict=True)) for p in params]
            )

    def recorded_for_keys(
        self, conn: Connection, keys: list[tuple[str, str, str]]
    ) -> list[RecordedEvent]:
        """Events already recorded under these idempotency keys, in the order asked.

        ``keys`` holds ``(key, workflow, action)``; a key reused for a different command is an
        error rather than a silent no-op.
        """
        wanted = [k for k, _, _ in keys]
        found = {
            r.idempotency_key: r
            for r in map(
                _row_event,
                conn.execute(sa.select(*_COLUMNS).where(EVENTS.c.idempotency_key.in_(wanted))),
            )
        }
        out = []
        for key, workflow, action in keys:
            event = found.get(key)
            if event is None:
                continue
            if (event.workflow, event.action) != (workflow, action):
                raise IdempotencyMismatch(
                    f"idempotency key {key!r} was already used for {describe(event)}"
                )
            out.append(event)
        return out

    def bulk_open_cases(self, cases: Iterable[Sequence[NewEvent]], conn: Connection) -> list[str]:
        """Open many new cases in one transaction (imports and generated data).

        Same encoding and chaining as ``append``, with the inserts batched; the caller owns
        the transaction and must have validated every event.
        """
        position = conn.execute(sa.select(sa.func.max(EVENTS.c.position))).scalar() or 0
        number = int(self.allocate_case_id(conn)[len(CASE_PREFIX) :]) - 1
        recorded = clock.utc_now_text()
        realm = self.realm
        apply = self.projector.apply
        event_rows: list[tuple[object, ...]] = []
        case_rows: list[tuple[object, ...]] = []
        ids: list[str] = []
        for events in cases:
            number += 1
            case_id = format_case_id(number)
            head = GENESIS
            state: dict[str, str] = {}
            for seq, new in enumerate(events, 1):
                position += 1
                apply(state, new.workflow, new.workflow_version, new.instance, new.action)
                values = (
                    position,
                    case_id,
                    seq,
                    realm,
                    new.workflow,
                    new.workflow_version,
                    new.instance,
                    new.action,
                    new.actor_user,
                    new.actor_role,
                    new.effective,
                    recorded,
                    new.idempotency_key or uuid.uuid4().hex,
                    canonical_json(new.payload),
                    head,
                )
                head = event_hash(values)
                event_rows.append((*values, head))
            case_rows.append(
                (case_id, len(events), head, position, recorded, recorded, canonical_json(state))
            )
            ids.append(case_id)
        if self._paramstyle_qmark:
            conn.exec_driver_sql(_INSERT_SQL, event_rows)
            conn.exec_driver_sql("INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?)", case_rows)
        else:
            conn.execute(
                EVENTS.insert(), [dict(zip(EVENTS.c.keys(), r, strict=True)) for r in event_rows]
            )
            conn.execute(
                CASES.insert(), [dict(zip(CASES.c.keys(), r, strict=True)) for r in case_rows]
            )
        return ids

    # ------------------------------------------------------------------ reading

    def read_case(self, case_id: str, conn: Connection | None = None) -> list[RecordedEvent]:
        """Every event of a case in sequence order; ``UnknownCase`` if it has none."""
        if conn is None:
            with read_transaction(self.engine) as conn:
                return self.read_case(case_id, conn)
        events = [
            _row_event(r)
            for r in conn.execute(
                sa.select(*_COLUMNS).where(EVENTS.c.case_id == case_id).order_by(EVENTS.c.seq)
            )
        ]
        if not events:
            raise UnknownCase(case_id)
        return events

    def case_head(self, case_id: str, conn: Connection | None = None) -> CaseHead:
        if conn is None:
            with read_transaction(self.engine) as conn:
                return self.case_head(case_id, conn)
        row = conn.execute(sa.select(CASES).where(CASES.c.case_id == case_id)).first()
        if row is None:
            raise UnknownCase(case_id)
        return CaseHead(
            row.case_id, row.version, row.head_hash, json.loads(row.state), row.opened, row.updated
        )

    def iter_events(self, conn: Connection, after: int = 0) -> Iterator[RecordedEvent]:
        """Every event in global order, streamed."""
        result = conn.execute(
            sa.select(*_COLUMNS)
            .where(EVENTS.c.position > after)
            .order_by(EVENTS.c.position)
            .execution_options(yield_per=5000)
        )
        for row in result:
            yield _row_event(row)

    def _event_at(self, conn: Connection, case_id: str, seq: int) -> RecordedEvent | None:
        row = conn.execute(
            sa.select(*_COLUMNS).where(EVENTS.c.case_id == case_id, EVENTS.c.seq == seq)
        ).first()
        return _row_event(row) if row else None


def _row_event(row: sa.Row) -> RecordedEvent:
    return RecordedEvent(*row)


def describe(event: RecordedEvent) -> str:
    """One line naming an event, for conflict and verification messages."""
    return (
        f"event {event.seq} of {event.case_id} ({event.action} by {event.actor_user} as "
        f"{event.actor_role}, recorded {event.recorded})"
    )
