"""The byte encoding that the hash chain is computed over.

Every field of an event is hashed, in a fixed order, as UTF-8 text joined by the ASCII unit
separator (0x1F) after a format tag.  Text fields may not contain control characters and the
payload is canonical JSON (which escapes every control character), so the encoding is
unambiguous.  The event log stores these texts as they are joined (``STORED_FIELDS``), so
verifying never depends on re-serialising anything.

The leaf hash is ``SHA-256(0x00 || encoding)``: the 0x00 prefix is the leaf marker of
RFC 9162 §2.1.1, so these hashes are the leaves of each log's Merkle tree (interior nodes use
0x01; ``casetracker.integrity.merkle``), which was added without rewriting history.

The full format is specified in docs/bundle-format.md for auditors writing their own verifier.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from hashlib import sha256 as _sha256
from typing import Any

from casetracker.domain.events import RecordedEvent

EVENT_FORMAT = "casetracker/event/1"
ACCESS_FORMAT = "casetracker/access/2"
"""An access-log entry whose justification is a digest (``JUSTIFICATION_DIGEST``) of a text kept
outside the chain, erasable: every entry with a justification since migration 0007."""
ACCESS_FORMAT_1 = "casetracker/access/1"
"""An access-log entry whose justification is the text itself (or empty): every entry before
migration 0007, and every entry since without a justification."""
JUSTIFICATION_PREFIX = "hmac-sha256:"
JUSTIFICATION_DIGEST = re.compile(JUSTIFICATION_PREFIX + "[0-9a-f]{64}")
SEPARATOR = "\x1f"
LEAF_PREFIX = b"\x00"
GENESIS = "0" * 64  # prev_hash of the first entry of a chain

# Columns of an event, in the order they are hashed.  ``hash`` itself is not among them.
EVENT_FIELDS = (
    "position",
    "case_id",
    "seq",
    "realm",
    "workflow",
    "workflow_version",
    "instance",
    "action",
    "actor_user",
    "actor_role",
    "effective",
    "recorded",
    "idempotency_key",
    "payload",
    "prev_hash",
)

ACCESS_FIELDS = (
    "position",
    "recorded",
    "user",
    "role",
    "action",
    "case_id",
    "justification",
    "detail",
    "prev_hash",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


# Configured once: ``json.dumps`` with options builds a new encoder on every call.  No
# circular-reference check: a canonical value is JSON read from or written to the log, never
# cyclic, so the markers would only cost time.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
    check_circular=False,
)  # fmt: skip


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text, no NaN: one text per value."""
    return _ENCODER.encode(value)


def text_is_clean(value: str) -> bool:
    """True when ``value`` may go into a hashed text field (see ``check_text``)."""
    return _CONTROL.search(value) is None


def check_text(name: str, value: str) -> str:
    """Refuse control characters (they would make the encoding ambiguous) and lone surrogates
    (undecodable bytes from a terminal, which have no UTF-8 form) in a hashed text field."""
    if not text_is_clean(value):
        raise ValueError(f"{name} must not contain control characters or undecodable bytes")
    return value


def encode(tag: str, values: tuple[object, ...]) -> bytes:
    """``tag`` then each value as text, all joined by 0x1F, as UTF-8."""
    return SEPARATOR.join((tag, *map(str, values))).encode("utf-8")


def leaf_hash(encoded: bytes) -> str:
    """The hash of one entry of a log (an access record; events go through ``stored_hash``)."""
    return _sha256(LEAF_PREFIX + encoded).hexdigest()


def event_hash(values: tuple[object, ...] | list[object]) -> str:
    """Hash of an event given its values in ``EVENT_FIELDS`` order (the same bytes as
    ``encode(EVENT_FORMAT, values)``; a test holds the two equal)."""
    return stored_hash(stored_values(values))


# How an event is stored.  The fields that the database indexes, or that the verifier compares
# between events, have columns of their own; the others are kept in two columns, each already
# joined by 0x1F exactly as it is hashed: which step of which lifecycle the event is, and who
# recorded it and when.  The stored columns in this order, joined by 0x1F after the format tag,
# are the encoding: the database holds every hashed byte once, and a verifier hashes the
# columns as they come without rebuilding anything.
STEP_FIELDS = ("realm", "workflow", "workflow_version", "instance", "action")
STAMP_FIELDS = ("actor_user", "actor_role", "effective", "recorded")
STAMP_SEPARATORS = len(STAMP_FIELDS) - 1
STORED_FIELDS = (
    "position", "case_id", "seq", "step", "stamp", "idempotency_key", "payload", "prev_hash",
)  # fmt: skip
# What the driver must give for each stored field, and the hash after them: anything else
# (bytes, a number in a text column) is not what the store wrote, whatever its text.
STORED_COLUMNS = (*STORED_FIELDS, "hash")
STORED_TYPES = (int, str, int, str, str, str, str, str, str)
# What every event's hashed text starts with: the 0x00 leaf prefix, the tag, a separator.
EVENT_LEAF_TEXT = LEAF_PREFIX.decode() + EVENT_FORMAT + SEPARATOR
# The hashed text from the stored fields (an integer becomes its decimal text, text stays
# itself; arguments after the eighth, such as the hash, are ignored).
STORED_ENCODING = (EVENT_LEAF_TEXT + SEPARATOR.join(["{}"] * len(STORED_FIELDS))).format


def stored_values(values: tuple[object, ...] | list[object]) -> tuple[object, ...]:
    """An event's ``STORED_FIELDS`` from its values in ``EVENT_FIELDS`` order."""
    v = values
    return (
        v[0], v[1], v[2], f"{v[3]}\x1f{v[4]}\x1f{v[5]}\x1f{v[6]}\x1f{v[7]}",
        f"{v[8]}\x1f{v[9]}\x1f{v[10]}\x1f{v[11]}", v[12], v[13], v[14],
    )  # fmt: skip


def stored_hash(stored: tuple[object, ...] | list[object]) -> str:
    """The hash of an event from its ``STORED_FIELDS`` (``stored_types_ok`` says whether they
    are of the types the store writes)."""
    return _sha256(STORED_ENCODING(*stored).encode()).hexdigest()


def stored_types_ok(row: Sequence[object]) -> bool:
    """Whether a row of ``STORED_FIELDS`` and hash holds exactly the types the store writes."""
    return tuple(map(type, row)) == STORED_TYPES


def _joined(name: str, value: object, fields: tuple[str, ...]) -> list[str]:
    """The texts a stored group joins; ``ValueError`` unless it is text joining one per field."""
    if type(value) is not str:
        raise ValueError(f"a {name} is text, not {type(value).__name__}")
    texts = value.split(SEPARATOR)
    if len(texts) != len(fields):
        raise ValueError(f"a {name} joins {len(fields)} texts, not {len(texts)}")
    return texts


def stored_step(step: object) -> tuple[str, str, int, int, str]:
    """``(realm, workflow, version, instance, action)`` from a stored step; ``ValueError``
    unless it is exactly what ``stored_values`` makes (five texts, numbers in decimal).

    A log holds few distinct steps (a synth year: 130 in 136,430 events), and the answer is
    the text's alone, so a text read once is answered from ``_STEPS`` after: reading every
    event's step again had been a third of decoding it (a fold, verify, the flow model).
    Only a step found well formed is kept; any other is read, and refused, every time."""
    known = _STEPS.get(step) if type(step) is str else None
    if known is not None:
        return known
    realm, workflow, version, instance, action = _joined("step", step, STEP_FIELDS)
    numbers = int(version), int(instance)
    if (str(numbers[0]), str(numbers[1])) != (version, instance):
        raise ValueError("a number in the step is not in its decimal form")
    found = (realm, workflow, *numbers, action)
    if len(_STEPS) >= _STEPS_KEPT:
        _STEPS.clear()
    _STEPS[step] = found  # text: ``_joined`` refuses anything else
    return found


_STEPS: dict[object, tuple[str, str, int, int, str]] = {}  # step text -> what it holds
_STEPS_KEPT = 4096


def stored_stamp(stamp: object) -> tuple[str, str, str, str]:
    """``(actor user, actor role, effective, recorded)`` from a stored stamp; ``ValueError``
    unless it is text joining exactly four texts."""
    user, role, effective, recorded = _joined("stamp", stamp, STAMP_FIELDS)
    return user, role, effective, recorded


def access_format(justification: object) -> str:
    """The format an access-log entry is hashed in, told by its justification: a digest
    (``hmac-sha256:`` and 64 lower-case hex digits) is format 2, anything else format 1."""
    digest = type(justification) is str and JUSTIFICATION_DIGEST.fullmatch(justification)
    return ACCESS_FORMAT if digest else ACCESS_FORMAT_1


def access_hash(values: tuple[object, ...]) -> str:
    """The hash of an access-log entry from its ``ACCESS_FIELDS``."""
    return leaf_hash(encode(access_format(values[ACCESS_FIELDS.index("justification")]), values))


def heads_digest(heads: list[tuple[str, int, str]]) -> str:
    """Digest over every case's chain head ``(case_id, seq, hash)``, in case-id order.

    A checkpoint keeps this; a later log whose heads as of the same position differ has lost,
    gained or rewritten a case.
    """
    digest = hashlib.sha256(b"casetracker/heads/1")
    for case_id, seq, head in sorted(heads):
        digest.update(f"\x1f{case_id}\x1f{seq}\x1f{head}".encode())
    return digest.hexdigest()


def recorded_event(row: Sequence[Any]) -> RecordedEvent:
    """The event a log row holds (``STORED_FIELDS``, then the hash); ``ValueError`` unless it is
    in the form the store writes, types included (``casetracker verify`` names such a row)."""
    if not stored_types_ok(row):
        raise ValueError("it holds a value of a type the store never writes")
    position, case_id, seq, step, stamp, key, payload, prev, hash = row
    stamped = stamp.split(SEPARATOR)  # ``stored_stamp``, written out: text, checked above
    if len(stamped) != len(STAMP_FIELDS):
        stored_stamp(stamp)  # refuses it, saying why
    return _new_event(
        RecordedEvent,
        (position, case_id, seq, *stored_step(step), *stamped, key, payload, prev, hash),
    )


# The tuple itself, as ``RecordedEvent(...)`` makes it without its generated ``__new__``'s
# Python call: a fold decodes every event of the log.
_new_event = tuple.__new__


def hashed_values(event: RecordedEvent) -> tuple[object, ...]:
    """The fields of an event that its hash covers, in ``EVENT_FIELDS`` order."""
    return event[: len(EVENT_FIELDS)]
