"""The verifier's fast pass: prove a range of chains intact in whole batches, or give up.

``chain_walk.walk`` checks one event at a time and says exactly what is wrong; at a million
events that per-event Python is most of the cost.  A sweep asks the same questions of whole
batches with C-level loops (``starmap`` of one format string and ``map`` over ``hashlib``,
list comparisons, one replay per distinct sequence of steps) and answers only "intact, and here
is the summary" or "not sure".  On "not sure" the caller walks the range with ``walk``, whose
report is the one users see, so a sweep never has to explain damage; it only has to notice it.
What it must notice is everything ``walk`` would report: a hash that does not match the
columns, a link, a sequence number, a realm, an illegal step, a projection row that differs or
is missing, a projection row with no events.  The mutation tests run through both.

SQLite keeps any type in any column, and a BLOB or a text number with the very bytes of the
original is still not what was written.  The sweep reads the two numbers as text, so that an
encoding is one ``str.join``, and counts the rows whose numbers are stored as anything but
integers in the same aggregate that totals the positions; ``str.join`` refuses every other
value that is not text.  Either way the sweep is unsure, and the walk, which reads every value
with the type the driver gives it, names the event.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterable
from hashlib import sha256
from itertools import pairwise, repeat, starmap
from operator import itemgetter
from typing import Any

from casetracker.domain.projection import ReplayTable
from casetracker.integrity import dbapi, personal_digests
from casetracker.integrity.dbapi import Row
from casetracker.integrity.encoding import (
    ACCESS_FIELDS,
    ACCESS_FORMAT,
    ACCESS_FORMAT_1,
    EVENT_LEAF_TEXT,
    GENESIS,
    JUSTIFICATION_PREFIX,
    LEAF_PREFIX,
    SEPARATOR,
    STAMP_SEPARATORS,
    STORED_FIELDS,
    access_format,
)
from casetracker.integrity.event_checks import (
    COLUMNS,
    Part,
    cases_query,
    events_query,
    logged_digests,
    range_clause,
    recorded_of,
    walk,
)
from casetracker.integrity.replay import REPLAY_MEMO_LIMIT, Replays

# The rows of ``sweep_query``: the stored fields, every one as text, then the hash.  Joined by
# 0x1F after the tag they are the encoding; ``str.join`` refuses any value that is not text.
_NUMBERS = ("position", "seq")
_SWEPT = ", ".join(f"CAST({c} AS TEXT)" if c in _NUMBERS else c for c in COLUMNS)
_FIELDS = itemgetter(slice(0, len(STORED_FIELDS)))
_HASH = itemgetter(len(STORED_FIELDS))
_POSITION, _CASE, _SEQ, _STEP, _STAMP, _PAYLOAD, _PREV = (
    itemgetter(STORED_FIELDS.index(f))
    for f in ("position", "case_id", "seq", "step", "stamp", "payload", "prev_hash")
)
_JOIN = SEPARATOR.join

_LEAF_TEXT = EVENT_LEAF_TEXT.__add__
_HEXDIGEST = type(sha256()).hexdigest
# A case is checked once all its events are in: until then each batch re-reads the ones so far,
# so a case much longer than this is left to the walk.
LONGEST_SWEPT_CASE = 20 * dbapi.BATCH
# Rows whose numbers are stored as something else than integers (which text would hide).
_MISTYPED = {
    "sqlite": "sum(typeof(position) <> 'integer' OR typeof(seq) <> 'integer')",
    "postgresql": "sum(CASE WHEN pg_typeof(position) = 'bigint'::regtype "
    "AND pg_typeof(seq) = 'integer'::regtype THEN 0 ELSE 1 END)",
}


# An access record's hashed text in each format, 0x00 leaf prefix included, from its fields (an
# integer becomes its decimal text, as in ``encoding.encode``; the stored hash after them is
# ignored).  The justification says which format an entry is in (``encoding.access_format``).
_ACCESS_ENCODINGS = {
    tag: (LEAF_PREFIX.decode() + tag + "\x1f{}" * len(ACCESS_FIELDS)).format
    for tag in (ACCESS_FORMAT_1, ACCESS_FORMAT)
}
_JUSTIFICATION = itemgetter(ACCESS_FIELDS.index("justification"))


def _access_digests(rows: list[Row]) -> list[str]:
    justifications = map(_JUSTIFICATION, rows)
    if any(type(j) is not str or j.startswith(JUSTIFICATION_PREFIX) for j in justifications):
        texts = [_ACCESS_ENCODINGS[access_format(_JUSTIFICATION(r))](*r) for r in rows]
    else:  # entries of format 1 only: one format string for the whole batch
        texts = list(starmap(_ACCESS_ENCODINGS[ACCESS_FORMAT_1], rows))
    return list(map(_HEXDIGEST, map(sha256, map(str.encode, texts))))


def check_range(
    raw: Any,
    low: str | None,
    high: str | None,
    table: ReplayTable,
    realm: str,
    at: int = 0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Part:
    """Check the chains of the cases in ``[low, high)`` on the DBAPI connection ``raw``.

    A sweep first; only if it is unsure, the event-by-event walk that names what is wrong.
    Both read in the caller's transaction, so they see the same log.  ``progress`` is told
    the events read so far and the range's count (the walk after an unsure sweep counts again
    from 0).
    """
    with dbapi.collector_paused():
        try:
            part = _sweep_range(
                raw, low, high, table, realm, at, _projected(raw, low, high), progress
            )
        except sqlite3.OperationalError:  # such as text that is not UTF-8: walk it
            part = None
        if part is None:
            with dbapi.tolerant_text(raw):
                query, params = events_query(low, high)
                batches = dbapi.reported(dbapi.batches(raw, query, params), progress)
                rows = (r for rows in batches for r in rows)
                part = walk(rows, _projected(raw, low, high), table, realm, at)
        damaged = {d.case_id for d in (*part.damaged, *part.foreign)}
        latest = {c: d for c, d in part.personal.items() if c not in damaged}
        part.subjects = personal_digests.mismatches(raw, latest, low, high)
        part.personal = {}  # checked here; nothing for the caller to do with it
        return part


def _projected(raw: Any, low: str | None, high: str | None) -> dict[str, Row]:
    """Each case's ``PROJECTED`` row in the range (without its id), from ``cases``."""
    query, params = cases_query(low, high)
    return {r[0]: tuple(r[1:]) for rows in dbapi.batches(raw, query, params) for r in rows}


def _sweep_range(
    raw: Any,
    low: str | None,
    high: str | None,
    table: ReplayTable,
    realm: str,
    at: int,
    projected: dict[str, Row],
    progress: Callable[[int, int | None], None] | None = None,
) -> Part | None:
    """``projected``: each case's ``PROJECTED`` row (without its id) by case id, consumed."""
    dialect = "sqlite" if isinstance(raw, sqlite3.Connection) else "postgresql"
    totals = dbapi.first_row(raw, *totals_query(low, high, dialect))
    query, params = sweep_query(low, high)
    batches = dbapi.reported(dbapi.batches(raw, query, params), progress, int(totals[0]))
    return sweep(batches, projected, table, realm, totals, at)


def sweep_query(low: str | None, high: str | None) -> tuple[str, tuple[str, ...]]:
    """The walk's columns in its order, the numbers as text."""
    where, params = range_clause(low, high)
    return f"SELECT {_SWEPT} FROM events{where} ORDER BY case_id, seq", params


def totals_query(low: str | None, high: str | None, dialect: str) -> tuple[str, tuple[str, ...]]:
    """Count, sum and last of the positions in the range (the whole-log position check), and
    how many rows hold a number of another type."""
    where, params = range_clause(low, high)
    return (
        "SELECT count(*), coalesce(sum(position), 0), coalesce(max(position), 0), "
        f"coalesce({_MISTYPED[dialect]}, 0) FROM events{where}",
        params,
    )


_QUOTED = ", ".join(f'"{f}"' for f in ACCESS_FIELDS)  # "user" is a keyword on PostgreSQL
_ACCESS_QUERY = f"SELECT {_QUOTED}, hash FROM access_log ORDER BY position"


def access_log_intact(raw: Any) -> bool:
    """True when the access log's positions run 1..N, each entry links to the one before and
    matches its hash, checked in whole batches; False means walk it entry by entry."""
    fields = len(ACCESS_FIELDS)
    prev, expected = GENESIS, 1
    with dbapi.collector_paused():
        for batch in dbapi.batches(raw, _ACCESS_QUERY):
            hashes = list(map(itemgetter(fields), batch))
            if (
                list(map(itemgetter(0), batch)) != list(range(expected, expected + len(batch)))
                or list(map(itemgetter(fields - 1), batch)) != [prev, *hashes[:-1]]
                or _access_digests(batch) != hashes
            ):
                return False
            prev = hashes[-1]
            expected += len(batch)
    return True


class _Unsure(Exception):
    """Something a sweep cannot vouch for: the range must be walked event by event."""


def sweep(
    batches: Iterable[list[Row]],
    projected: dict[str, Row],
    table: ReplayTable,
    realm: str,
    totals: tuple[int, int, int, int],
    at: int = 0,
) -> Part | None:
    """A ``Part`` for the rows in ``batches`` (``sweep_query``), or None.

    ``projected`` maps case id to its ``PROJECTED`` row (without its id) for the same range;
    ``totals`` is ``totals_query``'s row from the same snapshot.
    """
    try:
        return _Sweep(projected, table, realm, at).run(batches, totals)
    except (_Unsure, TypeError, ValueError):  # values no walk would accept
        return None


class _Sweep:
    def __init__(self, projected: dict[str, Row], table: ReplayTable, realm: str, at: int) -> None:
        self.projected = projected
        self.realm = realm
        self.at = at
        self.states: dict[tuple[str, ...], str] = {}  # one replay per distinct sequence of steps
        self.replays = Replays(table)
        self.part = Part()
        self.last_case: str | None = None
        self.ones: list[str] = []

    def run(self, batches: Iterable[list[Row]], totals: tuple[int, int, int, int]) -> Part:
        carry: list[Row] = []
        for batch in batches:
            self._rows(batch)
            carry = self._cases(carry + batch if carry else batch, final=False)
            if len(carry) > LONGEST_SWEPT_CASE:
                raise _Unsure  # a case this long costs the walk less than the sweep
        if carry:
            self._cases(carry, final=True)
        if self.projected:
            raise _Unsure  # projected cases without events
        part = self.part
        count, positions_sum, last_position, mistyped = (int(x) for x in totals)
        if count != part.events or mistyped:
            raise _Unsure
        part.positions_sum, part.last_position = positions_sum, last_position
        return part

    def _rows(self, batch: list[Row]) -> None:
        """Each row on its own: its hash and its stamp's form (each distinct step is checked,
        realm included, when it is first replayed; the numbers' types by ``totals_query``)."""
        texts = map(_LEAF_TEXT, map(_JOIN, map(_FIELDS, batch)))
        if list(map(_HEXDIGEST, map(sha256, map(str.encode, texts)))) != list(map(_HASH, batch)):
            raise _Unsure
        if set(map(str.count, map(_STAMP, batch), repeat(SEPARATOR))) != {STAMP_SEPARATORS}:
            raise _Unsure
        self.part.events += len(batch)

    def _one_to(self, n: int) -> list[str]:
        """``["1", "2", ... str(n)]``: the sequence numbers of a case of ``n`` events."""
        ones = self.ones
        if len(ones) < n:
            ones.extend(map(str, range(len(ones) + 1, n + 1)))
        return ones[:n]

    def _cases(self, rows: list[Row], final: bool) -> list[Row]:
        """Check every case that ends within ``rows``; return the rows of one that may go on."""
        seqs = list(map(_SEQ, rows))
        starts = [i for i, s in enumerate(seqs) if s == "1"]
        if not starts or starts[0] != 0:
            raise _Unsure  # rows before any case's first event
        if final:
            starts.append(len(rows))
        elif len(starts) == 1:
            return rows
        prevs = list(map(_PREV, rows))
        hashes = list(map(_HASH, rows))
        steps = list(map(_STEP, rows))
        states, projected = self.states, self.projected
        last_case = self.last_case
        for a, b in pairwise(starts):
            n = b - a
            case_id = _CASE(rows[a])
            if (
                case_id == last_case
                or _CASE(rows[b - 1]) != case_id
                or prevs[a] != GENESIS
                or seqs[a:b] != self._one_to(n)
                or prevs[a + 1 : b] != hashes[a : b - 1]
            ):
                raise _Unsure
            last_case = case_id
            key = tuple(steps[a:b])
            state = states.get(key)
            if state is None:
                if len(states) >= REPLAY_MEMO_LIMIT:
                    states.clear()
                state = states[key] = self._replay(key)
            head = rows[b - 1]
            opened, updated = recorded_of(_STAMP(rows[a])), recorded_of(_STAMP(head))
            if projected.pop(case_id, None) != (
                n, hashes[b - 1], state, int(_POSITION(head)), opened, updated,
            ):  # fmt: skip
                raise _Unsure
        self.last_case = last_case
        done = starts[-1]
        self.part.cases += len(starts) - 1
        if self.at:
            self._checkpoint(rows[:done], starts)
        if '"personal"' in "\x1f".join(map(_PAYLOAD, rows[:done])):
            self._personal(rows[:done])
        return [] if final else rows[done:]

    def _replay(self, steps: tuple[str, ...]) -> str:
        """The state a sequence of stored steps leads to (each checked, realm included)."""
        state, realms = self.replays(steps)
        if realms != {self.realm}:
            raise _Unsure
        return state

    def _checkpoint(self, rows: list[Row], starts: list[int]) -> None:
        """Each case's events and head as of the checkpoint's position (``walk`` counts them)."""
        positions = list(map(int, map(_POSITION, rows)))
        part = self.part
        for a, b in pairwise(starts):
            mine = positions[a:b]
            if mine != sorted(mine):
                raise _Unsure
            k = bisect_right(mine, self.at)
            if k:
                part.events_at_checkpoint += k
                part.heads_at_checkpoint.append((_CASE(rows[a]), k, _HASH(rows[a + k - 1])))

    def _personal(self, rows: list[Row]) -> None:
        """The latest personal-data digests of each case, in sequence order (as ``walk``)."""
        for row in rows:
            payload = _PAYLOAD(row)
            if '"personal"' in payload:
                digests = logged_digests(payload)
                if digests is None:  # the walk names the event
                    raise _Unsure
                self.part.personal.setdefault(_CASE(row), {}).update(digests)
