"""Turning what a user typed into typed, JSON-ready field values, per the action's FieldSpecs.

Values are validated before anything is written; each error names the field and says what was
expected.  Dates are stored as ISO text, lists as JSON arrays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import Any

from casetracker.domain.effective_time import DEFAULT_ZONE
from casetracker.domain.errors import UsageError
from casetracker.domain.vocabulary import ActionSpec, FieldSpec, FieldType

_UNDECODABLE = re.compile("[\ud800-\udfff]")  # how Python carries invalid bytes from argv
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["k=v", ...]`` from the command line into a dict; malformed pairs are usage errors, and
    so is a field given twice (``-f name=A -f name=B``): which value was meant is not known."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"field {pair!r} must be written name=value")
        if key.strip() in out:
            raise UsageError(f"field {key.strip()!r} is given twice: give each field once")
        out[key.strip()] = value
    return out


def coerce(spec: FieldSpec, raw: Any) -> Any:
    """One value, typed; raises UsageError naming the field."""
    if isinstance(raw, str) and not raw.isascii() and _UNDECODABLE.search(raw):
        raise UsageError(f"field {spec.name!r}: contains bytes that are not valid UTF-8")
    try:
        return _coerce(spec, raw)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"field {spec.name!r}: {exc}") from None


def _coerce(spec: FieldSpec, raw: Any) -> Any:
    kind = spec.type
    if kind in (FieldType.TEXT_LIST, FieldType.CHOICES):
        items = raw if isinstance(raw, list) else [p.strip() for p in str(raw).split(",")]
        items = [str(i).strip() for i in items if str(i).strip()]
        if kind == FieldType.CHOICES:
            for item in items:
                _check_choice(spec, item)
        return items
    if isinstance(raw, str):
        raw = raw.strip()
    if kind == FieldType.TEXT:
        text = str(raw)
        if not text:
            raise ValueError("must not be empty")
        return text
    if kind == FieldType.INTEGER:
        if isinstance(raw, bool):
            raise ValueError("expected a whole number")
        return int(raw)
    if kind == FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        word = str(raw).lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(f"expected yes or no, not {raw!r}")
    if kind == FieldType.DATE:
        if isinstance(raw, date) and not isinstance(raw, datetime):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValueError(f"expected a date like 2016-06-24, not {raw!r}") from None
    if kind == FieldType.DATETIME:
        try:
            moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
        except ValueError:
            raise ValueError(f"expected a time like 2016-06-24T09:30, not {raw!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=DEFAULT_ZONE)
        return moment.isoformat()
    if kind == FieldType.CHOICE:
        return _check_choice(spec, str(raw))
    raise ValueError(f"unsupported field type {kind}")


def _check_choice(spec: FieldSpec, value: str) -> str:
    if value not in spec.choices:
        raise ValueError(f"{value!r} is not one of: {', '.join(spec.choices)}")
    return value


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _converter(spec: FieldSpec) -> Callable[[Any], Any]:
    """``coerce`` for one field, with a short cut for the commonest clean input: plain ASCII
    text, or exactly one of the choices.  Anything else takes ``coerce`` itself, so results
    and errors are the same; bulk paths validate millions of values against a few specs."""
    if spec.type == FieldType.TEXT:

        def text(raw: Any) -> Any:
            if type(raw) is str and raw.isascii():
                return raw.strip()  # not blank: validate_fields has set blanks aside
            return coerce(spec, raw)

        return text
    if spec.type == FieldType.CHOICE:
        exact = frozenset(c for c in spec.choices if c == c.strip())

        def choice(raw: Any) -> Any:
            if type(raw) is str and raw in exact:
                return raw
            return coerce(spec, raw)

        return choice
    return partial(coerce, spec)


_Compiled = tuple[frozenset[str], tuple[tuple[str, bool, Callable[[Any], Any]], ...]]
_COMPILED: dict[int, tuple[ActionSpec, _Compiled]] = {}


def _compiled(action: ActionSpec) -> _Compiled:
    """The action's field names and converters, kept per spec object (the entry holds the
    spec, so its id cannot be reused while it is cached)."""
    entry = _COMPILED.get(id(action))
    if entry is None or entry[0] is not action:
        names = frozenset(f.name for f in action.fields)
        fields = tuple((f.name, f.required, _converter(f)) for f in action.fields)
        entry = _COMPILED[id(action)] = (action, (names, fields))
    return entry[1]


def validate_fields(action: ActionSpec, supplied: dict[str, Any]) -> dict[str, Any]:
    """All of an action's fields, typed; unknown or missing required fields are usage errors."""
    known, fields = _compiled(action)
    if not known.issuperset(supplied):
        unknown = sorted(set(supplied) - known)
        allowed = ", ".join(f.name for f in action.fields) or "none"
        raise UsageError(f"{action.name} has no field {unknown[0]!r} (its fields: {allowed})")
    given = []
    missing = False
    for name, required, convert in fields:
        raw = supplied.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            missing = missing or required
        else:
            given.append((name, convert, raw))
    if missing:
        blanks = [f for f in action.fields if f.required and _blank(supplied.get(f.name))]
        raise UsageError(missing_message(action, blanks))
    return {name: convert(raw) for name, convert, raw in given}


def missing_message(action: ActionSpec, blanks: list[FieldSpec]) -> str:
    """What a person is told when required fields are blank, in the words the form and the
    case screen use ("Add a note needs Note (field 'text')"): the TUI shows the labels, and
    the name in brackets is what the command line's ``-f name=value`` takes."""
    named = [f"{f.label} (field {f.name!r})" if f.label else f"field {f.name!r}" for f in blanks]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"{action.label or action.name} needs {listed}"
