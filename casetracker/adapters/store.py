"""The event store: append-only, hash-chained per case, with optimistic concurrency.

The store can append events and read them; nothing in it edits or removes one, and the database
refuses to as well.  Each append states the case version the caller saw; if another event got
there first the append fails with a ``Conflict`` naming it, and writes nothing.  A command
retried with the same idempotency key is recorded once: the retry gets the original events back.

The statements on the per-action path are plain SQL sent straight to the driver: building
SQLAlchemy constructs for each of them cost more than the disk's fsync (benchmarks/bench_core).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters import bulk_insert, merkle_tree
from casetracker.adapters.database import driver_sql, read_transaction, write_transaction
from casetracker.adapters.tables import CASES, KEYED
from casetracker.domain import clock
from casetracker.domain.errors import (
    Conflict,
    DatabaseError,
    IdempotencyMismatch,
    UnknownCase,
    UsageError,
)
from casetracker.domain.events import EventValues, NewEvent, RecordedEvent
from casetracker.domain.projection import Projector
from casetracker.integrity.encoding import (
    GENESIS,
    STORED_COLUMNS,
    canonical_json,
    check_text,
    recorded_event,
    stored_hash,
    stored_values,
    text_is_clean,
)

CASE_PREFIX = "C-"
_TEXT_FIELDS = ("workflow", "action", "actor_user", "actor_role", "effective", "idempotency key")
_STORED = ", ".join(STORED_COLUMNS)
_Q_INSERT = f"INSERT INTO events ({_STORED}) VALUES ({', '.join(['?'] * len(STORED_COLUMNS))})"
_Q_HEAD = (
    "SELECT e.seq, e.hash, c.version, c.state, (SELECT max(position) FROM events) "
    "FROM events e LEFT JOIN cases c ON c.case_id = e.case_id "
    "WHERE e.case_id = ? ORDER BY e.seq DESC LIMIT 1"
)
_Q_MAX_POSITION = "SELECT max(position) FROM events"
_Q_CASE = f"SELECT {_STORED} FROM events WHERE case_id = ? ORDER BY seq"
_Q_AT = f"SELECT {_STORED} FROM events WHERE case_id = ? AND seq = ?"
_Q_KEY = f"SELECT {_STORED} FROM events WHERE idempotency_key = ? AND {KEYED}"  # its index's rows
_CASE_COLUMNS = ("case_id", "version", "head_hash", "head_position", "opened", "updated", "state")
_Q_CASE_INSERT = (
    f"INSERT INTO cases ({', '.join(_CASE_COLUMNS)}) VALUES ({', '.join('?' * len(_CASE_COLUMNS))})"
)
_Q_CASE_UPDATE = (
    "UPDATE cases SET version = ?, head_hash = ?, head_position = ?, updated = ?, state = ? "
    "WHERE case_id = ?"
)
_NO_STATE = "{}"  # the current-state text of a case with no event yet
_STATES_KEPT = 4096  # distinct current-state texts whose parse is kept (``_parsed_state``)
_Q_LAST_CASE = (  # the highest id of seven digits, in text order (as ``format_case_id`` pads)
    "SELECT case_id FROM cases WHERE case_id >= ? AND case_id < ? "
    "AND case_id GLOB 'C-[0-9][0-9][0-9][0-9][0-9][0-9][0-9]' ORDER BY case_id DESC LIMIT 1"
)
_Q_CASE_TAKEN = "SELECT EXISTS (SELECT 1 FROM cases WHERE case_id = ?)"
# On PostgreSQL a police login sees only its force's rows (row-level security, migration
# 0012), but a new event's position and a new case's id are global: two functions that see
# the whole log answer just those two numbers.
_ON_POSTGRESQL = {
    _Q_HEAD: _Q_HEAD.replace("(SELECT max(position) FROM events)", "casetracker_last_position()"),
    _Q_MAX_POSITION: "SELECT casetracker_last_position()",
    _Q_LAST_CASE: "SELECT casetracker_last_case_id(?, ?)",
    _Q_CASE_TAKEN: "SELECT casetracker_case_id_taken(?)",  # every force's (migration 0031)
}


class Head(NamedTuple):
    version: int
    hash: str
    projected_version: int | None
    state: str | None
    last_position: int


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


_NONE = format_case_id(0)
_SEVEN_DIGITS = 10_000_000  # the first case number whose id has more than seven digits
_CASE_REF = re.compile(r"^(?:[Cc]-)?0*(\d{1,12})$")


def normalise_case_id(text: str) -> str:
    """``C-0000042``, ``c-42`` and ``42`` all name case C-0000042; anything else is malformed."""
    digits = text[2:]
    canonical = len(text) == 9 and text[:2] == CASE_PREFIX and digits.isascii()
    if canonical and digits.isdigit() and text != _NONE:
        return text  # already in canonical form, as it is on every action from a screen
    match = _CASE_REF.match(text.strip())
    if match is None or int(match[1]) == 0:
        raise UsageError(f"{text!r} is not a case id (they look like C-0000042, or just 42)")
    return format_case_id(int(match[1]))


class EventStore:
    def __init__(self, engine: Engine, realm: str, projector: Projector) -> None:
        self.engine = engine
        self.realm = realm
        self.projector = projector
        self._states: dict[str, dict[str, str]] = {}
        on_postgresql = engine.dialect.name == "postgresql"
        self._q_head, self._q_max_position, self._q_last_case, self._q_case_taken = (
            _ON_POSTGRESQL[q] if on_postgresql else q
            for q in (_Q_HEAD, _Q_MAX_POSITION, _Q_LAST_CASE, _Q_CASE_TAKEN)
        )

    def _sql(self, conn: Connection, query: str, params: Any = ()) -> Any:
        return driver_sql(conn, query, params, "store")

    # ------------------------------------------------------------------ writing

    def allocate_case_id(self, conn: Connection) -> str:
        """The next free case id; call inside the write transaction that will use it.

        One more than the highest id of seven digits: below ten million the highest in text
        order is the highest in number, and a malformed id (a row typed in by hand) is not
        one.  Past C-9999999 ids grow longer and text order no longer follows the numbers, so
        the first free one from there is found by doubling steps, then halving them, over
        ids in use (found by review: ``C-9999999`` had stayed the highest for ever)."""
        row = self._sql(conn, self._q_last_case, (CASE_PREFIX, CASE_PREFIX[:-1] + ".")).fetchone()
        last = row[0] if row and row[0] else None
        number = int(last[len(CASE_PREFIX) :]) + 1 if last else 1
        if number < _SEVEN_DIGITS or not self._case_taken(conn, number):
            return format_case_id(number)
        step = 1
        while self._case_taken(conn, number + step):  # ids in use from ``number`` on
            number, step = number + step, step * 2
        while step > 1:  # the first free one in (number, number + step]
            step //= 2
            if self._case_taken(conn, number + step):
                number += step
        return format_case_id(number + 1)

    def _case_taken(self, conn: Connection, number: int) -> bool:
        return bool(self._sql(conn, self._q_case_taken, (format_case_id(number),)).fetchone()[0])

    def head(self, conn: Connection, case_id: str) -> Head:
        """Where a case's chain ends, read from the log itself (inside a write transaction,
        pass it on to ``append`` so it is not read twice)."""
        row = self._sql(conn, self._q_head, (case_id,)).fetchone()
        if row is None:
            raise UnknownCase(case_id)
        return Head(*row)

    def append(
        self,
        case_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        conn: Connection | None = None,
        head: Head | None = None,
    ) -> list[RecordedEvent]:
        """Append to a case if it is still at ``expected_version`` (0 starts a new case).

        A retried command (same idempotency keys) returns the events it recorded the first time.
        """
        if conn is None:
            with write_transaction(self.engine) as conn:
                return self.append(case_id, expected_version, events, conn)
        keys = [(e.idempotency_key, e.workflow, e.action) for e in events if e.idempotency_key]
        if keys:
            actors = {(e.actor_user, e.actor_role) for e in events}
            replay = self.recorded_for_keys(
                conn,
                keys,
                case_id=case_id if expected_version else None,
                actor=actors.pop() if len(actors) == 1 else None,
            )
            if replay:
                if len(replay) != len(events):
                    raise IdempotencyMismatch("some of these idempotency keys were used before")
                return replay
        row = head or self._sql(conn, self._q_head, (case_id,)).fetchone()
        if expected_version == 0:
            if row is not None:
                newer = self.event_at(conn, case_id, 1)
                raise Conflict(case_id, 0, row[0], describe(newer) if newer else "")
            position = self._sql(conn, self._q_max_position).fetchone()[0] or 0
            return self._append(
                conn, case_id, 0, GENESIS, _NO_STATE, position, events, new_case=True
            )
        if row is None:
            raise UnknownCase(case_id)
        seq, head_hash, projected_version, state_text, position = row
        if expected_version != seq:
            newer = self.event_at(conn, case_id, expected_version + 1)
            raise Conflict(case_id, expected_version, seq, describe(newer) if newer else "")
        if projected_version != seq or state_text is None:
            raise DatabaseError(
                f"the current-state table is out of step with the log for case {case_id}: "
                "run `casetracker rebuild`"
            )
        return self._append(
            conn, case_id, seq, head_hash, state_text, position, events, new_case=False
        )

    def _append(
        self,
        conn: Connection,
        case_id: str,
        seq: int,
        head: str,
        state_text: str,
        position: int,
        events: Sequence[NewEvent],
        new_case: bool,
    ) -> list[RecordedEvent]:
        if not events:
            raise ValueError("nothing to append")
        before, canonical = self._parsed_state(state_text)
        state = dict(before)
        recorded = clock.utc_now_text()
        rows: list[RecordedEvent] = []
        stored: list[tuple[object, ...]] = []
        apply = self.projector.apply
        for new in events:
            seq += 1
            position += 1
            apply(state, new.workflow, new.workflow_version, new.instance, new.action)
            values = self._values(position, case_id, seq, recorded, new, head)
            columns = stored_values(values)
            head = stored_hash(columns)
            rows.append(RecordedEvent(*values, head))
            stored.append((*columns, head))
        try:
            self._sql(conn, _Q_INSERT, stored if len(stored) > 1 else stored[0])
        except conn.dialect.loaded_dbapi.IntegrityError as exc:
            raise Conflict(case_id, seq - len(rows), seq, f"a concurrent write ({exc})") from None
        merkle_tree.append(conn, merkle_tree.EVENTS, position - len(rows), [r.hash for r in rows])
        if state != before or not canonical:  # a note, a served paper: every state as it was
            state_text = canonical_json(state)
        if new_case:
            self._sql(
                conn, _Q_CASE_INSERT, (case_id, seq, head, position, recorded, recorded, state_text)
            )
        else:
            self._sql(conn, _Q_CASE_UPDATE, (seq, head, position, recorded, state_text, case_id))
        return rows

    def _parsed_state(self, text: str) -> tuple[dict[str, str], bool]:
        """A current-state text parsed (shared: copy it before changing it), and whether it is
        in canonical form, so that an action that changes no state can write the same text
        back.  Most cases are in one of a few states, so canonical texts are kept parsed."""
        parsed = self._states.get(text)
        if parsed is not None:
            return parsed, True
        parsed = json.loads(text)
        if canonical_json(parsed) != text:
            return parsed, False
        if len(self._states) >= _STATES_KEPT:
            self._states.clear()
        self._states[text] = parsed
        return parsed, True

    def _values(
        self, position: int, case_id: str, seq: int, recorded: str, new: NewEvent, prev: str
    ) -> EventValues:
        texts: tuple[str, ...] = (
            new.workflow,
            new.action,
            new.actor_user,
            new.actor_role,
            new.effective,
        )
        if new.idempotency_key:
            texts += (new.idempotency_key,)
        if not text_is_clean("".join(texts)):
            for name, text in zip(_TEXT_FIELDS, texts, strict=False):
                check_text(name, text)
        return (
            position, case_id, seq, self.realm, new.workflow, new.workflow_version, new.instance,
            new.action, new.actor_user, new.actor_role, new.effective, recorded,
            new.idempotency_key or "",
            canonical_json(new.payload), prev,
        )  # fmt: skip

    def key_recorded(self, conn: Connection, key: str) -> bool:
        """Whether an event holds this idempotency key (whichever request it was for)."""
        return self._sql(conn, _Q_KEY, (key,)).fetchone() is not None

    def recorded_for_keys(
        self,
        conn: Connection,
        keys: list[tuple[str, str, str]],
        *,
        case_id: str | None = None,
        actor: tuple[str, str] | None = None,
    ) -> list[RecordedEvent]:
        """Events already recorded under these idempotency keys, in the order asked.

        ``keys`` holds ``(key, workflow, action)``.  A key replays only the same command: the
        same action, and when given, the same case and the same actor in the same role.  Anything
        else is an error that says nothing of the earlier event: a key must not be a way to read
        another case, or another person's entry (issue 13).
        """
        out = []
        for key, workflow, action in keys:
            row = self._sql(conn, _Q_KEY, (key,)).fetchone()
            if row is None:
                continue
            event = stored_event(row)
            same = (event.workflow, event.action) == (workflow, action)
            if case_id is not None:
                same = same and event.case_id == case_id
            if actor is not None:
                same = same and (event.actor_user, event.actor_role) == actor
            if not same:
                raise IdempotencyMismatch(
                    f"idempotency key {key!r} was already used for another request; "
                    "a retry must repeat the same action on the same case, as the same user in "
                    "the same role"
                )
            out.append(event)
        return out

    def bulk_open_cases(self, cases: Iterable[Sequence[NewEvent]], conn: Connection) -> list[str]:
        """Open many new cases in one transaction (imports and generated data).

        Same encoding and chaining as ``append``, each table's rows written at once
        (``bulk_insert``: ``COPY`` on PostgreSQL); the caller owns the transaction and must
        have validated every event.
        """
        position = self._sql(conn, self._q_max_position).fetchone()[0] or 0
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
                    position, case_id, seq, realm, new.workflow, new.workflow_version,
                    new.instance, new.action, new.actor_user, new.actor_role, new.effective,
                    recorded, new.idempotency_key or "",
                    canonical_json(new.payload), head,
                )  # fmt: skip
                columns = stored_values(values)
                head = stored_hash(columns)
                event_rows.append((*columns, head))
            state_text = canonical_json(state)
            case_rows.append((case_id, len(events), head, position, recorded, recorded, state_text))
            ids.append(case_id)
        if event_rows:
            bulk_insert.insert_rows(conn, "events", STORED_COLUMNS, event_rows, rounds_by="seq")
            bulk_insert.insert_rows(conn, "cases", _CASE_COLUMNS, case_rows)
            hashes = cast(list[str], [row[-1] for row in event_rows])
            merkle_tree.append(conn, merkle_tree.EVENTS, position - len(hashes), hashes)
        return ids

    # ------------------------------------------------------------------ reading

    def read_case(self, case_id: str, conn: Connection | None = None) -> list[RecordedEvent]:
        """Every event of a case in sequence order; ``UnknownCase`` if it has none."""
        if conn is None:
            with read_transaction(self.engine) as conn:
                return self.read_case(case_id, conn)
        events = [stored_event(r) for r in self._sql(conn, _Q_CASE, (case_id,))]
        if not events:
            raise UnknownCase(case_id)
        return events

    def case_head(self, case_id: str, conn: Connection | None = None) -> CaseHead:
        """The projection row: the case's current state as last written."""
        if conn is None:
            with read_transaction(self.engine) as conn:
                return self.case_head(case_id, conn)
        row = conn.execute(sa.select(CASES).where(CASES.c.case_id == case_id)).first()
        if row is None:
            raise UnknownCase(case_id)
        return CaseHead(
            row.case_id, row.version, row.head_hash, json.loads(row.state), row.opened, row.updated
        )

    def event_at(self, conn: Connection, case_id: str, seq: int) -> RecordedEvent | None:
        """One event by case and sequence number (to name the newer event in a conflict)."""
        row = self._sql(conn, _Q_AT, (case_id, seq)).fetchone()
        return stored_event(row) if row else None


def stored_event(row: Sequence[Any]) -> RecordedEvent:
    """The event a row of ``STORED_FIELDS`` and hash holds; an unreadable one is damage."""
    try:
        return recorded_event(row)
    except ValueError as exc:
        raise DatabaseError(
            f"an event of this log cannot be read ({exc}): run `casetracker verify`"
        ) from None


def describe(event: RecordedEvent) -> str:
    """One line naming an event, for conflict and verification messages."""
    return (
        f"event {event.seq} of {event.case_id} ({event.action} by {event.actor_user} as "
        f"{event.actor_role}, recorded {event.recorded})"
    )
