"""Digests of personal data, and whether the values on file still match the log's.

Kept apart from ``subjects`` (which stores the records through SQLAlchemy) because the
verifier's worker processes compare a range of subjects themselves and must not import
SQLAlchemy.  See ``subjects`` for why the chain carries ``HMAC-SHA256(salt, field || value)``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from json.encoder import encode_basestring as _json_string  # canonical_json of a str
from typing import Any

from casetracker.integrity import dbapi
from casetracker.integrity.dbapi import Row
from casetracker.integrity.encoding import SEPARATOR, canonical_json
from casetracker.integrity.event_checks import range_clause


def digest(salt_hex: str, name: str, value: Any) -> str:
    return _keyed(bytes.fromhex(salt_hex))(name, value)


def digests(salt_hex: str, values: dict[str, Any]) -> dict[str, str]:
    """``digest`` of each value, keyed once (bulk paths digest a million values)."""
    return digested(digester(salt_hex), values)


def digested(keyed: Callable[[str, Any], str], values: dict[str, Any]) -> dict[str, str]:
    """Each value's digest by a ``digester`` the caller kept."""
    return {name: keyed(name, value) for name, value in values.items()}


def digester(salt_hex: str) -> Callable[[str, Any], str]:
    """``digest`` under one salt, keyed once, for a caller that keeps it while the salt lives
    (a subject's salt never changes until erasure destroys it, and the keeper must then drop
    this too: it holds the salt)."""
    return _keyed(bytes.fromhex(salt_hex))


def keyed_mac(key: bytes) -> Callable[[str, str], str]:
    """``HMAC-SHA256(key, label || 0x1F || text)`` in hex, for one key and many messages: the
    key is set up once and copied for each, which costs a fifth less than a one-shot HMAC
    (verify checks every field of every subject; ``subject_search`` tokens every term)."""
    keyed = hmac.new(key, digestmod="sha256")

    def mac(label: str, text: str) -> str:
        h = keyed.copy()
        h.update(f"{label}\x1f{text}".encode())
        return h.hexdigest()

    return mac


def _keyed(key: bytes) -> Callable[[str, Any], str]:
    """``keyed_mac`` of a subject's fields, each value as canonical JSON."""
    mac = keyed_mac(key)

    def field_digest(name: str, value: Any) -> str:
        return mac(name, _json_string(value) if type(value) is str else canonical_json(value))

    return field_digest


def mismatches(
    raw: Any, latest: dict[str, dict[str, str]], low: str | None = None, high: str | None = None
) -> dict[str, list[str]]:
    """For each case in ``latest`` (case -> field -> digest last logged), the personal fields
    whose value on file no longer matches; cases with nothing wrong are left out.  ``raw`` is
    a DBAPI connection; ``low``/``high`` bound the case ids read, as the verifier's ranges do.

    One pass over the subject records and one over the free text (``subject_values``, each
    event's own value under ``field@seq``): a query per case cost more than the whole chain walk.
    """
    found: dict[str, list[str]] = {}
    on_file: set[str] = set()
    erased_cases: list[str] = []
    unlogged: list[str] = []  # records of cases whose log carries no digest (or is damaged)
    where, params = range_clause(low, high)
    free_text: dict[str, list[Row]] = {}
    values_query = f"SELECT case_id, field, seq, value FROM subject_values{where}"
    for rows in dbapi.batches(raw, values_query, params):
        for row in rows:
            free_text.setdefault(row[0], []).append(row)
    query = f"SELECT case_id, salt, data, erased FROM subjects{where}"
    for rows in dbapi.batches(raw, query, params):
        for case_id, salt, data, erased in rows:
            values = free_text.pop(case_id, [])
            if erased and values:
                found[case_id] = ["free text is kept after the subject's erasure"]
            wanted = latest.get(case_id)
            if wanted is None:
                unlogged.append(case_id)
                continue
            on_file.add(case_id)
            if erased:
                erased_cases.append(case_id)
            elif problems := _differences(salt, data, values, wanted):
                found[case_id] = problems
    steps = _steps_of(raw, erased_cases + unlogged)
    for case_id in erased_cases:
        if not any(step.endswith(_ERASE_STEP_END) for step in steps.get(case_id, ())):
            found.setdefault(case_id, []).append(
                "the subject record is erased but the log records no erase_subject: its "
                "personal data was destroyed outside casetracker"
            )
    for case_id in unlogged:
        if case_id not in steps:  # every record is written beside its case's events
            found.setdefault(case_id, []).append(
                "a subject record is kept for a case with no events: it was written outside "
                "casetracker"
            )
    for case_id in free_text:  # values of a case with no subject record
        found[case_id] = ["free text is kept without a subject record"]
    for case_id, wanted in latest.items():
        if case_id not in on_file and wanted:
            found[case_id] = [f"no subject record for {', '.join(sorted(wanted))}"]
    return {case_id: found[case_id] for case_id in sorted(found, key=_in_order(latest))}


ERASE_ACTION = "erase_subject"  # the one action that erases a subject record
_ERASE_STEP_END = SEPARATOR + ERASE_ACTION  # how a stored step (fields 4-8) ends for it
_CASES_ASKED = 500  # case ids in one query's IN list


def _steps_of(raw: Any, case_ids: list[str]) -> dict[str, list[str]]:
    """The stored steps of each of ``case_ids`` that has events.  An erasure is recorded in
    the same transaction as its ``erase_subject`` event, and a record is written beside its
    case's events: one erased without that event, or kept for a case with none, was written
    by someone writing the file (on PostgreSQL a guard refuses both).  These cases are few;
    only their events are read."""
    steps: dict[str, list[str]] = {}
    for start in range(0, len(case_ids), _CASES_ASKED):
        chunk = case_ids[start : start + _CASES_ASKED]
        marks = ", ".join("?" * len(chunk))
        query = f"SELECT case_id, step FROM events WHERE case_id IN ({marks})"
        for rows in dbapi.batches(raw, query, tuple(chunk)):
            for case_id, step in rows:
                steps.setdefault(case_id, []).append(step if isinstance(step, str) else "")
    return steps


def _in_order(latest: dict[str, dict[str, str]]) -> Any:
    """Cases in the order of ``latest`` (the log's), then any others by case id."""
    rank = {case_id: i for i, case_id in enumerate(latest)}
    return lambda case_id: (rank.get(case_id, len(rank)), case_id)


def _differences(
    salt: Any, data_json: Any, free_text: list[Row], latest: dict[str, str]
) -> list[str]:
    """What is wrong with one subject record that is not erased, read as the store writes it
    (a hex salt, a JSON object of values, each free-text value canonical JSON) or reported as
    damage when it is not."""
    try:
        key = bytes.fromhex(salt)
    except (TypeError, ValueError):
        return ["the subject record's salt is not in the form the store writes: it was altered"]
    try:
        data = json.loads(data_json or "{}")
        if isinstance(data, dict):
            data.update((f"{field}@{seq}", json.loads(value)) for _, field, seq, value in free_text)
    except (TypeError, ValueError):
        data = None
    if not isinstance(data, dict):
        return ["the subject record's data is not a JSON object: it was altered"]
    keyed = _keyed(key)
    try:
        bad = [
            name for name, d in latest.items() if name not in data or keyed(name, data[name]) != d
        ]
    except ValueError:  # a value canonical JSON cannot hold, such as NaN
        return ["the subject record holds a value the store never writes: it was altered"]
    bad += [name for name in data if name not in latest]
    return [f"subject field {name!r} does not match the log" for name in sorted(set(bad))]
