"""The verifier's fast pass: prove a range of chains intact in whole batches, or give up.

``chain_walk.walk`` checks one event at a time and says exactly what is wrong; at a million
events that per-event Python is most of the cost.  A sweep asks the same questions of whole
batches with C-level loops (``map`` over ``hashlib``, list comparisons, one replay per distinct
sequence of steps) and answers only "intact, and here is the summary" or "not sure".  On "not
sure" the caller walks the range with ``walk``, whose report is the one users see, so a sweep
never has to explain damage; it only has to notice it.  What it must notice is everything
``walk`` would report: a hash that does not match the columns, a link, a sequence number, a
realm, an illegal step, a projection row that differs or is missing, a projection row with no
events.  The mutation tests run through both.

Rows come either as ``bytes`` (SQLite with ``text_factory=bytes``: nothing is decoded) or as
``str`` (PostgreSQL); the projection rows must come the same way.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable
from hashlib import sha256
from itertools import pairwise
from operator import itemgetter
from typing import Any

from casetracker import driver_rows, personal_digests
from casetracker.canonical import (
    ACCESS_FIELDS,
    ACCESS_FORMAT,
    EVENT_FIELDS,
    EVENT_FORMAT,
    GENESIS,
    canonical_json,
)
from casetracker.chain_walk import Part, cases_query, range_clause, walk
from casetracker.chain_walk import events_query as walk_query
from casetracker.projection import ReplayTable, replay_step

_INTEGERS = ("position", "seq", "workflow_version", "instance")
# Every hashed field as text (the encoding is their join), then the hash, then whether every
# value has the type the walk expects (``_types_ok``).
COLUMNS = (
    *(f"CAST({f} AS TEXT) AS {f}_text" if f in _INTEGERS else f for f in EVENT_FIELDS),
    "hash",
)


def _types_ok(sqlite: bool, integers: tuple[str, ...], texts: tuple[str, ...]) -> str:
    """An SQL value that is 1 when each column holds the storage type the walk expects.

    Text is read undecoded and integers cast to text, so a BLOB or a text number with the
    same bytes would look the same to a sweep; the walk (which sees Python types) would call
    it damage.  SQLite keeps any type in any column, so each row is asked; on PostgreSQL the
    declared types are checked once instead (``_postgres_types_ok``).
    """
    if not sqlite:
        return "1"
    tests = [f"typeof({c}) = 'integer'" for c in integers]
    tests += [f"typeof({c}) = 'text'" for c in texts]
    return f"({' AND '.join(tests)})"


_EVENT_TEXTS = (*(f for f in EVENT_FIELDS if f not in _INTEGERS), "hash")
_CASE_COLUMNS = "case_id, version, head_hash, state"
_POSTGRES_TYPES = {
    "events": (_INTEGERS, _EVENT_TEXTS),
    "cases": (("version",), ("case_id", "head_hash", "state")),
    "access_log": (("position",), (*ACCESS_FIELDS[1:], "hash")),
}
_FIELDS = len(EVENT_FIELDS)
_TEXTS = itemgetter(slice(0, _FIELDS))
_POSITION, _CASE, _SEQ, _REALM, _PAYLOAD, _PREV = (
    itemgetter(EVENT_FIELDS.index(f))
    for f in ("position", "case_id", "seq", "realm", "payload", "prev_hash")
)
_C = EVENT_FIELDS.index("case_id")
_STEP = itemgetter(
    *(EVENT_FIELDS.index(f) for f in ("workflow", "workflow_version", "instance", "action"))
)
_HASH = itemgetter(_FIELDS)
_TYPES = itemgetter(_FIELDS + 1)
_HEXDIGEST = type(sha256()).hexdigest


def check_range(
    raw: Any, low: str | None, high: str | None, table: ReplayTable, realm: str, at: int = 0
) -> Part:
    """Check the chains of the cases in ``[low, high)`` on the DBAPI connection ``raw``.

    A sweep first; only if it is unsure, the event-by-event walk that names what is wrong.
    Both read in the caller's transaction, so they see the same log.
    """
    with driver_rows.collector_paused():
        with driver_rows.undecoded_text(raw):
            part = _sweep_range(raw, low, high, table, realm, at)
        if part is None:
            query, params = cases_query(low, high)
            projected = {
                r[0]: tuple(r[1:]) for rows in driver_rows.batches(raw, query, params) for r in rows
            }
            query, params = walk_query(low, high)
            rows = (r for rows in driver_rows.batches(raw, query, params) for r in rows)
            part = walk(rows, projected, table, realm, at)
        damaged = {d.case_id for d in (*part.damaged, *part.foreign)}
        latest = {c: d for c, d in part.personal.items() if c not in damaged}
        part.subjects = personal_digests.mismatches(raw, latest, low, high)
        part.personal = {}  # checked here; nothing for the caller to do with it
        return part


def check_sqlite_file(
    path: str, low: str | None, high: str | None, table: ReplayTable, realm: str, at: int
) -> Part:
    """A worker's ``check_range`` on its own read-only connection, in one read transaction."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")
        snapshot = conn.execute("SELECT max(position) FROM events").fetchone()[0] or 0
        part = check_range(conn, low, high, table, realm, at)
        part.snapshot = snapshot
        conn.execute("COMMIT")
        return part
    finally:
        conn.close()


def _sweep_range(
    raw: Any, low: str | None, high: str | None, table: ReplayTable, realm: str, at: int
) -> Part | None:
    sqlite = isinstance(raw, sqlite3.Connection)
    if not sqlite and not _postgres_types_ok(raw):
        return None
    where, params = range_clause(low, high)
    types = _types_ok(sqlite, ("version",), ("case_id", "head_hash", "state"))
    query = f"SELECT {_CASE_COLUMNS}, {types} FROM cases{where}"
    projected = {}
    for rows in driver_rows.batches(raw, query, params):
        for r in rows:
            if r[4] != 1:
                return None
            projected[r[0]] = r[1:4]
    totals = driver_rows.first_row(raw, *totals_query(low, high))
    query, params = events_query(low, high, sqlite)
    return sweep(driver_rows.batches(raw, query, params), projected, table, realm, totals, at)


def events_query(
    low: str | None, high: str | None, sqlite: bool = True
) -> tuple[str, tuple[str, ...]]:
    where, params = range_clause(low, high)
    types = _types_ok(sqlite, _INTEGERS, _EVENT_TEXTS)
    return (
        f"SELECT {', '.join(COLUMNS)}, {types} FROM events{where} ORDER BY case_id, seq",
        params,
    )


def _postgres_types_ok(raw: Any) -> bool:
    """The logs' and projection's columns still have the types the schema gave them."""
    found = {
        (table, column): kind
        for rows in driver_rows.batches(
            raw,
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()",
        )
        for table, column, kind in rows
    }
    return all(
        found.get((table, c)) in ("integer", "bigint")
        for table, (integers, _) in _POSTGRES_TYPES.items()
        for c in integers
    ) and all(
        found.get((table, c)) in ("text", "character varying")
        for table, (_, texts) in _POSTGRES_TYPES.items()
        for c in texts
    )


def totals_query(low: str | None, high: str | None) -> tuple[str, tuple[str, ...]]:
    """Count, sum and last of the positions in the range (the whole-log position check)."""
    where, params = range_clause(low, high)
    return (
        "SELECT count(*), coalesce(sum(position), 0), coalesce(max(position), 0) "
        f"FROM events{where}",
        params,
    )


class _Text:
    """The constants of one text type (``bytes`` or ``str``) and how to get bytes for hashing."""

    def __init__(self, kind: type, tag: str = EVENT_FORMAT) -> None:
        self.raw = kind is bytes
        leaf = "\x00" + tag + "\x1f"
        self.leaf = leaf.encode() if self.raw else leaf
        self.sep = b"\x1f" if self.raw else "\x1f"
        self.genesis = GENESIS.encode() if self.raw else GENESIS
        self.personal = b'"personal"' if self.raw else '"personal"'
        self.one = self.text("1")
        self._counts: list = []

    def one_to(self, n: int) -> list:
        """The sequence numbers 1..n as this text type (a case's whole run of events)."""
        counts = self._counts
        if len(counts) < n:
            counts.extend(self.text(str(i)) for i in range(len(counts) + 1, n + 1))
        return counts[:n]

    def numbers(self, first: int, count: int) -> list:
        """``first`` .. ``first + count - 1`` as this text type."""
        return [self.text(str(i)) for i in range(first, first + count)]

    def str(self, value: bytes | str) -> str:
        return value.decode() if isinstance(value, bytes) else value

    def text(self, value: str) -> bytes | str:
        return value.encode() if self.raw else value

    def digests(self, encodings: Iterable) -> list[str]:
        joined = map(self.leaf.__add__, map(self.sep.join, encodings))
        return list(map(_HEXDIGEST, map(sha256, joined if self.raw else map(str.encode, joined))))


_ACCESS_COLUMNS = (
    'CAST(position AS TEXT) AS "position_text"',
    *(f'"{f}"' for f in ACCESS_FIELDS[1:]),  # quoted: "user" is a keyword on PostgreSQL
    "hash",
)


def _access_query(sqlite: bool) -> str:
    types = _types_ok(sqlite, ("position",), (*ACCESS_FIELDS[1:], "hash"))
    return f"SELECT {', '.join(_ACCESS_COLUMNS)}, {types} FROM access_log ORDER BY position"


def access_log_intact(raw: Any) -> bool:
    """True when the access log's positions run 1..N, each entry links to the one before and
    matches its hash, checked in whole batches; False means walk it entry by entry."""
    sqlite = isinstance(raw, sqlite3.Connection)
    if not sqlite and not _postgres_types_ok(raw):
        return False
    try:
        with driver_rows.collector_paused(), driver_rows.undecoded_text(raw):
            return _access_log_sweep(raw, sqlite)
    except (UnicodeDecodeError, TypeError, ValueError):  # bytes no walk would accept
        return False


def _access_log_sweep(raw: Any, sqlite: bool) -> bool:
    t: _Text | None = None
    prev: bytes | str = ""
    expected = 1
    fields = len(ACCESS_FIELDS)
    for batch in driver_rows.batches(raw, _access_query(sqlite)):
        if t is None:
            t = _Text(type(batch[0][1]), ACCESS_FORMAT)
            prev = t.genesis
        hashes = list(map(itemgetter(fields), batch))
        stored = list(map(bytes.decode, hashes)) if t.raw else hashes
        if (
            list(map(itemgetter(fields + 1), batch)).count(1) != len(batch)
            or list(map(itemgetter(0), batch)) != t.numbers(expected, len(batch))
            or list(map(itemgetter(fields - 1), batch)) != [prev, *hashes[:-1]]
            or t.digests(map(itemgetter(slice(0, fields)), batch)) != stored
        ):
            return False
        prev = hashes[-1]
        expected += len(batch)
    return True


class _Unsure(Exception):
    """Something a sweep cannot vouch for: the range must be walked event by event."""


def sweep(
    batches: Iterable[list[tuple]],
    projected: dict,
    table: ReplayTable,
    realm: str,
    totals: tuple[int, int, int],
    at: int = 0,
) -> Part | None:
    """A ``Part`` for the rows in ``batches`` (``COLUMNS``, by case and sequence), or None.

    ``projected`` maps case id to ``(version, head hash, state JSON)`` for the same range, in
    the rows' text type; ``totals`` is ``totals_query``'s row from the same snapshot.
    """
    try:
        return _Sweep(projected, table, realm, at).run(batches, totals)
    except (_Unsure, UnicodeDecodeError, TypeError, ValueError):  # bytes no walk would accept
        return None


class _Sweep:
    def __init__(self, projected: dict, table: ReplayTable, realm: str, at: int) -> None:
        self.projected = projected
        self.table = table
        self.realm = realm
        self.at = at
        self.states: dict[tuple, bytes | str] = {}  # one replay per distinct sequence of steps
        self.part = Part()
        self.last_case: bytes | str | None = None
        self.t: _Text | None = None

    def run(self, batches: Iterable[list[tuple]], totals: tuple[int, int, int]) -> Part:
        carry: list[tuple] = []
        for batch in batches:
            if self.t is None:
                self.t = _Text(type(batch[0][0]))
                self.realm_text = self.t.text(self.realm)
            self._hashes(batch)
            carry = self._cases(carry + batch if carry else batch, final=False)
        if carry:
            self._cases(carry, final=True)
        if self.projected:
            raise _Unsure  # projected cases without events
        part = self.part
        count, positions_sum, last_position = (int(x) for x in totals)
        if count != part.events:
            raise _Unsure
        part.positions_sum, part.last_position = positions_sum, last_position
        return part

    def _hashes(self, batch: list[tuple]) -> None:
        t = self.t
        stored = list(map(_HASH, batch))
        if t.raw:
            stored = list(map(bytes.decode, stored))
        if t.digests(map(_TEXTS, batch)) != stored:
            raise _Unsure
        realms = list(map(_REALM, batch))
        if realms.count(self.realm_text) != len(realms):
            raise _Unsure
        if list(map(_TYPES, batch)).count(1) != len(batch):
            raise _Unsure
        self.part.events += len(batch)

    def _cases(self, rows: list[tuple], final: bool) -> list[tuple]:
        """Check every case that ends within ``rows``; return the rows of one that may go on."""
        t = self.t
        one = t.one
        seqs = list(map(_SEQ, rows))
        starts = [i for i, s in enumerate(seqs) if s == one]
        if not starts or starts[0] != 0:
            raise _Unsure  # rows before any case's first event
        if final:
            starts.append(len(rows))
        elif len(starts) == 1:
            return rows
        genesis = t.genesis
        prevs = list(map(_PREV, rows))
        hashes = list(map(_HASH, rows))
        steps = list(map(_STEP, rows))
        states, projected = self.states, self.projected
        last_case = self.last_case
        for a, b in pairwise(starts):
            n = b - a
            case_id = rows[a][_C]
            if (
                case_id == last_case
                or rows[b - 1][_C] != case_id
                or prevs[a] != genesis
                or seqs[a:b] != t.one_to(n)
                or prevs[a + 1 : b] != hashes[a : b - 1]
            ):
                raise _Unsure
            last_case = case_id
            key = tuple(steps[a:b])
            state = states.get(key)
            if state is None:
                state = states[key] = self._replay(key)
            if projected.pop(case_id, None) != (n, hashes[b - 1], state):
                raise _Unsure
        self.last_case = last_case
        done = starts[-1]
        self.part.cases += len(starts) - 1
        if self.at:
            self._checkpoint(rows[:done], starts)
        if t.personal in t.sep.join(map(_PAYLOAD, rows[:done])):
            self._personal(rows[:done])
        return [] if final else rows[done:]

    def _replay(self, steps: tuple) -> bytes | str:
        state: dict[str, str] = {}
        t = self.t
        try:
            for workflow, version, instance, action in steps:
                replay_step(
                    self.table, state, t.str(workflow), int(version), int(instance), t.str(action)
                )
        except ValueError:
            raise _Unsure from None
        return t.text(canonical_json(state))

    def _checkpoint(self, rows: list[tuple], starts: list[int]) -> None:
        """Each case's events and head as of the checkpoint's position (``walk`` counts them)."""
        t = self.t
        positions = list(map(int, map(_POSITION, rows)))
        part = self.part
        for a, b in pairwise(starts):
            mine = positions[a:b]
            if mine != sorted(mine):
                raise _Unsure
            k = bisect_right(mine, self.at)
            if k:
                part.events_at_checkpoint += k
                part.heads_at_checkpoint.append(
                    (t.str(_CASE(rows[a])), k, t.str(_HASH(rows[a + k - 1])))
                )

    def _personal(self, rows: list[tuple]) -> None:
        """The latest personal-data digests of each case, in sequence order (as ``walk``)."""
        t = self.t
        for row in rows:
            payload = _PAYLOAD(row)
            if t.personal in payload:
                digests = json.loads(payload.decode() if t.raw else payload).get("personal", {})
                self.part.personal.setdefault(t.str(_CASE(row)), {}).update(digests)
