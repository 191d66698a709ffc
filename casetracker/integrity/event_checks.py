"""The verifier's inner loop: walk the chains of a range of cases, in this process or another.

A walk hashes each event's stored columns as they come, checks the links and the sequence,
replays the projection and compares it with the ``cases`` table, and counts what the
whole-log checks need (positions, heads as of a checkpoint, personal-data digests).
Nothing here needs the database driver's wrapper or the workflow definitions - only the replay
table - so a large SQLite log can be split by case id and walked by two processes at once
(``casetracker.adapters.workers``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from casetracker.domain.projection import ReplayTable, replay_step
from casetracker.integrity.dbapi import Row
from casetracker.integrity.encoding import (
    GENESIS,
    SEPARATOR,
    STORED_COLUMNS,
    stored_hash,
    stored_stamp,
    stored_step,
    stored_types_ok,
)

COLUMNS = STORED_COLUMNS
_RAW_DECODE = json.JSONDecoder().raw_decode  # a quarter of the events carry personal digests
_POSITION, _CASE, _SEQ, _STEP, _STAMP, _KEY, _PAYLOAD, _PREV, _HASH = range(len(COLUMNS))


def range_clause(low: str | None, high: str | None) -> tuple[str, tuple[str, ...]]:
    """``WHERE`` text and parameters for case ids in ``[low, high)`` (None: unbounded)."""
    parts: list[str] = []
    params: list[str] = []
    if low is not None:
        parts.append("case_id >= ?")
        params.append(low)
    if high is not None:
        parts.append("case_id < ?")
        params.append(high)
    return (" WHERE " + " AND ".join(parts) if parts else ""), tuple(params)


def events_query(low: str | None, high: str | None) -> tuple[str, tuple[str, ...]]:
    where, params = range_clause(low, high)
    return f"SELECT {', '.join(COLUMNS)} FROM events{where} ORDER BY case_id, seq", params


# What verify compares of each ``cases`` row with the log: every column ``rebuild`` derives
# from it (the head's number, hash and position, the first and last recorded times, the state).
# Case search reads ``opened`` and ``updated``, so a row altered there hides a case from a
# search by date as surely as a wrong state hides it from a queue.
PROJECTED = "case_id, version, head_hash, state, head_position, opened, updated"


def cases_query(low: str | None, high: str | None) -> tuple[str, tuple[str, ...]]:
    where, params = range_clause(low, high)
    return f"SELECT {PROJECTED} FROM cases{where}", params


def recorded_of(stamp: object) -> object:
    """The recorded time a stored stamp ends with (what ``rebuild`` writes as ``opened`` and
    ``updated``); a stamp that is not text is answered as it is, to differ from any row."""
    return stamp.rpartition(SEPARATOR)[2] if isinstance(stamp, str) else stamp


def logged_digests(payload: str) -> dict[str, str] | None:
    """The personal-data digests an event's payload carries (field name -> hex digest), or
    None when the payload or its ``personal`` member is not in the form the store writes.

    A hash that matches proves only that nobody changed the event after it was hashed, not
    that casetracker wrote it, so the verifier must read even a crafted payload without
    failing.
    """
    try:  # the stored form, with nothing around the value: one C call, not json.loads' three
        data, end = _RAW_DECODE(payload)
        if end != len(payload):
            raise ValueError(payload)
    except (TypeError, ValueError):  # anything else is read exactly as json.loads reads it
        try:
            data = json.loads(payload)
        except ValueError:
            return None
    digests = data.get("personal", {}) if isinstance(data, dict) else None
    if not isinstance(digests, dict):
        return None
    if not all(isinstance(d, str) for d in digests.values()):
        return None
    return digests


@dataclass
class Damage:
    case_id: str
    seq: int | None
    position: int | None
    problem: str


@dataclass
class Part:
    """What a walk over some cases found; parts of disjoint ranges add up to the whole log."""

    events: int = 0
    cases: int = 0
    last_position: int = 0
    positions_sum: int = 0
    damaged: list[Damage] = field(default_factory=list)
    foreign: list[Damage] = field(default_factory=list)  # events of another realm
    orphans: list[str] = field(default_factory=list)  # projected cases without events
    personal: dict[str, dict[str, str]] = field(default_factory=dict)  # latest digests
    subjects: dict[str, list[str]] = field(default_factory=dict)  # records that differ
    events_at_checkpoint: int = 0
    heads_at_checkpoint: list[tuple[str, int, str]] = field(default_factory=list)


def _hash_matches(row: Row) -> bool:
    try:
        return bool(stored_hash(row[:_HASH]) == row[_HASH])
    except UnicodeEncodeError:  # undecodable bytes read as text (dbapi.tolerant_text)
        return False


def _step(row: Row) -> tuple[str, str, int, int, str] | None:
    """The row's ``(realm, workflow, version, instance, action)``, or None if its step or its
    stamp is not in the form the store writes."""
    try:
        stored_stamp(row[_STAMP])
        return stored_step(row[_STEP])
    except ValueError:
        return None


def _stored_state(text: Any) -> Any:
    """A projection row's state as parsed, or None when it is no JSON the store writes: the
    row was altered, and differs from the log's state like any other wrong value."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


def walk(
    rows: Iterable[Row],
    projected: dict[str, Row],
    table: ReplayTable,
    realm: str,
    at: int = 0,
) -> Part:
    """Check every chain in ``rows`` (``COLUMNS``, ordered by case and sequence).

    ``projected`` maps case id to the rest of its ``PROJECTED`` row from the ``cases`` table
    for the same range; ``at`` is a checkpoint's position (0 for none).
    """
    part = Part()
    damaged = part.damaged
    positions_sum = 0
    last_position = 0
    case_id: str | None = None
    broken = False
    prev = GENESIS
    expected_seq = 1
    state: dict[str, str] = {}
    head_before: tuple[str, int, str] | None = None
    last: Row = ()
    opened: object = None  # the recorded time of the case's first event
    count = 0

    def finish_case() -> None:
        if case_id is None:
            return
        if head_before is not None:
            part.heads_at_checkpoint.append(head_before)
        row = projected.pop(case_id, None)
        if broken:
            return
        if row is None:
            damaged.append(Damage(case_id, None, None, "missing from the current-state table"))
        elif (row[0], row[1], _stored_state(row[2]), *row[3:]) != (
            last[_SEQ], last[_HASH], state, last[_POSITION], opened, recorded_of(last[_STAMP]),
        ):  # fmt: skip
            damaged.append(
                Damage(
                    case_id,
                    last[_SEQ],
                    last[_POSITION],
                    "the current-state table disagrees with the log (run `casetracker rebuild`)",
                )
            )

    for row in rows:
        position, seq, this_case = row[_POSITION], row[_SEQ], row[_CASE]
        if this_case != case_id:
            finish_case()
            case_id, broken, prev, expected_seq, state, head_before = (
                this_case, False, GENESIS, 1, {}, None,
            )  # fmt: skip
            opened = recorded_of(row[_STAMP])
            part.cases += 1
        last = row
        count += 1
        positions_sum += position
        if position > last_position:
            last_position = position
        if position <= at:
            part.events_at_checkpoint += 1
            head_before = (this_case, seq, row[_HASH])
        step = _step(row)
        marked = step[0] if step else realm
        if marked != realm and not any(d.case_id == this_case for d in part.foreign):
            part.foreign.append(
                Damage(this_case, seq, position, f"marked {marked!r} in a {realm} database")
            )
        if broken:
            continue
        problem = ""
        if seq != expected_seq:
            problem = (
                f"sequence jumps from {expected_seq - 1} to {seq}: an event was removed or inserted"
            )
        elif not stored_types_ok(row):
            problem = "it holds a value of a type the store never writes: the event was altered"
        elif row[_PREV] != prev:
            problem = (
                "does not link to the event before it: an event was removed, inserted or reordered"
            )
        elif not _hash_matches(row):
            problem = "its content does not match its hash: the event was altered"
        elif step is None:
            problem = "its step or stamp is not in the form the store writes: it was altered"
        else:
            try:
                replay_step(table, state, *step[1:])
            except ValueError as exc:
                problem = f"not a legal step of its workflow: {exc}"
            payload = row[_PAYLOAD]
            if '"personal"' in payload:
                digests = logged_digests(payload)
                if digests is None:
                    problem = (
                        "its personal-data digests are not in the form the store writes: "
                        "the event was altered"
                    )
                else:
                    part.personal.setdefault(this_case, {}).update(digests)
        if problem:
            damaged.append(Damage(this_case, seq, position, problem))
            broken = True
        prev = row[_HASH]
        expected_seq += 1
    finish_case()
    part.events = count
    part.positions_sum = positions_sum
    part.last_position = last_position
    part.orphans = sorted(projected, key=str)  # a tampered id may not be text
    return part
