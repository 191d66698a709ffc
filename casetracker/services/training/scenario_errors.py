"""How a scenario file's problems read to a trainer: one line, ``where: key: what is wrong``.

Pydantic reports every problem in a file with its place (``loc``).  The trainer is shown one,
the first they would meet reading the file, in the words the scenario checks have always used:
the step by number, action and line, the key by its dotted name (``expect.states.etd``).
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails, PydanticCustomError

# Pydantic's error types for a key the file must not have, for one it must have (given but
# empty counts as missing), and the words for a value of the wrong type.
UNKNOWN_KEY = frozenset({"extra_forbidden", "unexpected_keyword_argument"})
MISSING = frozenset({"missing", "string_too_short", "too_short"})
EXPECTED = {
    "dict_type": "a mapping",
    "tuple_type": "a list",
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number from 1",
    "greater_than_equal": "a whole number from 1",
}


def refuse(message: str, *at: str | int) -> PydanticCustomError:
    """A failed check, in the trainers' words; ``at`` continues the place pydantic reports."""
    return PydanticCustomError("scenario", message, {"at": at})


def first_met(errors: list[ErrorDetails]) -> ErrorDetails:
    """The error a trainer reading the file meets first: the top level's keys, the name and the
    list of steps; then each step in turn, unknown keys first (a misspelt key is also missing);
    then the opening (its defaults come from the first step)."""

    def rank(indexed: tuple[int, ErrorDetails]) -> tuple[int, int, int, int]:
        order, error = indexed
        step, place = _place(error)
        kind = 0 if error["type"] in UNKNOWN_KEY else 1 if error["type"] in MISSING else 2
        if step is not None:
            return 1, step, kind, order
        head = place[:1] in {("name",), ("steps",)}
        early = head or (kind < 2 and place[:1] not in {("opened",), ("opened_by",)})
        return 0 if early else 2, 0, kind, order

    return min(enumerate(errors), key=rank)[1]


def explain(error: ErrorDetails, data: dict[str, Any], lines: list[int], schemas: Any) -> str:
    """``where: key: what is wrong``; where is the step (number, action, line) or the key.
    ``schemas`` gives the dataclass read at each key (``""`` for the top level), whose fields
    are the keys an unknown one is told about."""
    step, place = _place(error)
    kind = error["type"]
    if kind in UNKNOWN_KEY | MISSING:
        key, place = place[-1], place[:-1]
    names = [str(p) for p in place if not isinstance(p, int)]
    if kind in UNKNOWN_KEY:
        schema = schemas[names[-1] if names else "" if step is None else "steps"]
        fields = schema.__pydantic_fields__.items()
        keys = sorted(str(f.validation_alias or n) for n, f in fields if f.init is not False)
        what = f"unknown key {key!r} (keys: {', '.join(keys)})"
    elif kind in MISSING:
        what = f"missing {key!r}"
    elif kind == "dataclass_type":  # a mapping was wanted: say which keys it needs
        schema = next(s for s in schemas.values() if s.__name__ == error["ctx"]["class_name"])
        needs = [n for n, f in schema.__pydantic_fields__.items() if f.is_required()]
        listed = f" with {', '.join(needs)}" if needs else ""
        what = f"expected a mapping{listed}, not {error['input']!r}"
    elif kind in EXPECTED:
        what = f"expected {EXPECTED[kind]}, not {error['input']!r}"
    else:
        what = error["msg"]
    if step is None:
        return f"{'.'.join(names) or 'top level'}: {what}"
    raw = data["steps"][step]
    action = str(raw.get("action") or "") if isinstance(raw, dict) else ""
    where = f"step {step + 1} ({action + ', ' if action else ''}line {lines[step]})"
    return ": ".join([where, ".".join(names), what] if names else [where, what])


def _place(error: ErrorDetails) -> tuple[int | None, tuple[int | str, ...]]:
    """The step (0-based) an error is in, if any, and its place within the step or the file."""
    loc = (*error["loc"], *error.get("ctx", {}).get("at", ()))
    if len(loc) > 1 and loc[0] == "steps" and isinstance(loc[1], int):
        return loc[1], loc[2:]
    return None, loc
