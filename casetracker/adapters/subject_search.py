"""Finding a case by its subject's personal data, without an index that outlives an erasure.

A person's values are in ``subjects`` (erasable, outside the chain).  Searching them there
would read and parse every record; instead each searchable value is kept as a *blind index*
token, ``HMAC-SHA256(search key, kind || normalised value)``, in ``subject_search`` (migration
0016), one row per (token, case), indexed by token: a search computes its tokens and reads one
index range each.  The rows are rewritten whenever the subject's own details change and
deleted by the erasure in the same transaction, so nothing of an erased person stays findable.
The search key is one random secret per database (``meta``), so a token reveals nothing without
it; whoever can read the key could test guesses against tokens, as they could read ``subjects``
itself while the person is on record.

What is searchable, each normalised (case, accents and spacing folded):
``name_word`` (each word of the name: a search for several words asks for all), ``dob`` (an ISO
date), ``nationality`` (claimed or verified), ``identifier`` (each PNC, CID, passport or Home
Office reference, spaces and dashes dropped).

The index is derived, like a read model: ``rebuild`` (``casetracker rebuild``) recomputes it
from the subject records as now held and writes only the rows that differ.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters.database import driver_sql, write_transaction
from casetracker.adapters.tables import META, SUBJECT_SEARCH, SUBJECTS
from casetracker.integrity.personal_digests import keyed_mac

KEY = "search_key"  # the meta row holding the database's search key
_KEYS: dict[str, bytes] = {}  # per database URL: read once a process (it never changes)
_KEYED: dict[bytes, Callable[[str, str], str]] = {}  # per search key: its ``keyed_mac``
_WORDS = re.compile(r"[^\W_]+")
REBUILD_BATCH = 5000  # subject records compared with their index rows at a time


def new_key() -> str:
    """A fresh search key, as the migration stores it."""
    return secrets.token_hex(32)


def search_key(conn: Connection) -> bytes:
    """The database's search key (created by migration 0016)."""
    where = str(conn.engine.url)
    found = _KEYS.get(where)
    if found is None:
        value = conn.execute(sa.select(META.c.value).where(META.c.key == KEY)).scalar()
        if not value:
            raise RuntimeError("this database has no search key: run `casetracker init`")
        found = _KEYS[where] = bytes.fromhex(str(value))
    return found


def folded(text: str) -> str:
    """Case, accents and runs of spaces folded: 'Zoë  O’Brien' and 'zoe o'brien' agree."""
    if text.isascii():  # most values: NFKD leaves ASCII as it is, with nothing to drop
        return " ".join(text.casefold().split())
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def terms(values: dict[str, Any]) -> set[tuple[str, str]]:
    """The (kind, normalised value) pairs a subject record is findable by."""
    found: set[tuple[str, str]] = set()
    for word in name_words(str(values.get("name") or "")):
        found.add(("name_word", word))
    dob = str(values.get("date_of_birth") or "").strip()
    if dob:
        found.add(("dob", dob))
    for key in ("nationality", "verified_nationality"):
        text = folded(str(values.get(key) or ""))
        if text:
            found.add(("nationality", text))
    identifiers = values.get("identifiers") or []
    for ident in identifiers if isinstance(identifiers, list) else [identifiers]:
        text = identifier(str(ident))
        if text:
            found.add(("identifier", text))
    return found


def identifier(text: str) -> str:
    """A reference as compared: case folded, spaces, dashes and slashes dropped."""
    return re.sub(r"[\s\-/]", "", folded(text))


def name_words(text: str) -> list[str]:
    """The words of a name as searched (an apostrophe joins: O'Brien is one word, obrien)."""
    return _WORDS.findall(re.sub("['’]", "", folded(text)))


def token(key: bytes, kind: str, value: str) -> str:
    """The blind index of one term, by the key's ``keyed_mac`` (set up once per key: half the
    time of a one-shot ``hmac.digest``, which sets the key up every call)."""
    mac = _KEYED.get(key)
    if mac is None:
        mac = _KEYED[key] = keyed_mac(key)
    return mac(kind, value)


def replace(conn: Connection, case_id: str, values: dict[str, Any]) -> None:
    """Make the case findable by exactly ``values`` (the subject's own details as now held)."""
    conn.execute(SUBJECT_SEARCH.delete().where(SUBJECT_SEARCH.c.case_id == case_id))
    insert_many(conn, [(case_id, values)])


def insert_many(conn: Connection, records: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Index new subject records (``(case id, own values)`` each; the bulk path)."""
    key: bytes | None = None
    rows = []
    for case_id, values in records:
        found = terms(values)
        if found:
            key = key or search_key(conn)
            rows += [{"token": token(key, k, v), "case_id": case_id} for k, v in sorted(found)]
    if rows:
        conn.execute(SUBJECT_SEARCH.insert(), rows)


def forget(conn: Connection, case_id: str) -> None:
    """The erasure's part: the case is no longer findable by anything of its subject."""
    conn.execute(SUBJECT_SEARCH.delete().where(SUBJECT_SEARCH.c.case_id == case_id))


def matching(conn: Connection, wanted: list[tuple[str, str]]) -> sa.Select[tuple[str]]:
    """The case ids whose subject has every one of ``wanted`` (kind, normalised value).

    On PostgreSQL a member may not read the tokens (migration 0034: a police login could test
    guesses about another force's people against them), so the database's own
    ``casetracker_search_cases`` answers, with the cases the login may see."""
    key = search_key(conn)
    if conn.dialect.name == "postgresql":
        tokens = ",".join(sorted({token(key, k, v) for k, v in wanted}))
        found = sa.func.casetracker_search_cases(tokens).table_valued("found_case")
        return sa.select(found.c.found_case)
    selects = [
        sa.select(SUBJECT_SEARCH.c.case_id).where(SUBJECT_SEARCH.c.token == token(key, k, v))
        for k, v in wanted
    ]
    if len(selects) == 1:
        return selects[0]
    both = sa.intersect(*selects).subquery()
    return sa.select(both.c.case_id)


def rebuild(engine: Engine) -> int:
    """Recompute the whole index from the subject records as held (``casetracker rebuild``),
    in one transaction; returns the rows written or deleted.

    The records are read a batch at a time in case-id order, and the index rows of the same
    case-id span compared with what the records say: a missing row is written, a row that no
    record gives (corrupt, left over, an erased person's) is deleted, and an intact index is
    only read.  The database's search key is kept, so tokens come out as the actions wrote
    them."""
    changed = 0
    with write_transaction(engine) as conn:
        key = search_key(conn)
        low = ""
        while True:
            records = conn.execute(
                sa.select(SUBJECTS.c.case_id, SUBJECTS.c.data)
                .where(SUBJECTS.c.data.is_not(None), SUBJECTS.c.case_id > low)
                .order_by(SUBJECTS.c.case_id)
                .limit(REBUILD_BATCH)
            ).all()
            last = len(records) < REBUILD_BATCH
            high = "" if last else records[-1][0]
            changed += _rebuild_span(conn, key, records, low, high)
            if last:
                return changed
            low = high


# A span's index rows, read on the driver's cursor (SQLAlchemy's rows cost as much again); on
# PostgreSQL through the function that reads them for a member, who may not (migration 0034).
_HELD_FROM = "SELECT token, case_id FROM subject_search WHERE case_id > ?"
_HELD_TO = f"{_HELD_FROM} AND case_id <= ?"
_HELD_POSTGRESQL = "SELECT found_token, found_case FROM casetracker_search_rows(?, ?)"


def _rebuild_span(conn: Connection, key: bytes, records: Sequence[Any], low: str, high: str) -> int:
    """Make the index rows of case ids in ``(low, high]`` (to the end when ``high`` is "")
    exactly those ``records`` give; returns how many rows differed (missing or to go).

    A case with a row to go has all its rows written again: deleting a row by its token would
    read the token, which a member may not on PostgreSQL (migration 0034).

    A term's token depends on the term alone, not on whose it is, and a span's records share
    half their terms (a nationality, common name words): each distinct term is keyed once
    (``tokens``), not once for every record that has it."""
    tokens: dict[tuple[str, str], str] = {}
    wanted = set()
    for case_id, data in records:
        for term in terms(json.loads(data or "{}")):
            found = tokens.get(term)
            if found is None:
                found = tokens[term] = token(key, *term)
            wanted.add((found, case_id))
    params: tuple[str, ...]
    if conn.dialect.name == "postgresql":
        span, params = _HELD_POSTGRESQL, (low, high)
    else:
        span, params = (_HELD_TO, (low, high)) if high else (_HELD_FROM, (low,))
    held = set(map(tuple, driver_sql(conn, span, params, "subject_search").fetchall()))
    extra, missing = held - wanted, wanted - held
    redone = {case_id for _, case_id in extra}
    if redone:
        conn.execute(
            SUBJECT_SEARCH.delete().where(SUBJECT_SEARCH.c.case_id == sa.bindparam("c")),
            [{"c": c} for c in sorted(redone)],
        )
    written = missing | {(t, c) for t, c in wanted if c in redone}
    if written:
        conn.execute(
            SUBJECT_SEARCH.insert(), [{"token": t, "case_id": c} for t, c in sorted(written)]
        )
    return len(extra) + len(missing)
