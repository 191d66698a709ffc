"""Parsing the organisation file (docs/organisation.md) into an ``Organisation``; reading it
from disk is the adapters' business (``casetracker.adapters.organisation_file``).

The file is TOML so that an administrator can change a suite's model, its IO shifts or a force's
ACRO sharing without a release (Recommendations 2 and 3).  A mistake names the file, the line
and the key: ``tomllib`` gives line numbers only for syntax errors, so the line of a key whose
value is wrong is found here, by reading the file's table headers and keys in order.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterator
from datetime import time
from typing import Any, NoReturn

from casetracker.domain.errors import UsageError
from casetracker.domain.organisation import (
    AcroSharing,
    CustodyDbAccess,
    DataPolicy,
    DvaAccess,
    Force,
    Organisation,
    Shift,
    Suite,
    SuiteModel,
)
from casetracker.domain.vocabulary import Role

FORMAT = 1
FORCE_KEYS = frozenset(
    {"name", "in_london", "custody_db", "acro_sharing", "io_status_checks", "suites", "assumed"}
)
SUITE_KEYS = frozenset({"name", "model", "io_shifts", "cid_access", "custody_db", "assumed"})
TOP_KEYS = frozenset({"format", "dva_access", "forces", "four_eyes"})
FOUR_EYES_KEYS = frozenset({"home_office"})
_SHIFT = re.compile(r"^\s*(\d\d:\d\d)\s*-\s*(\d\d:\d\d)\s*$")


class OrganisationFileError(UsageError):
    """The organisation file cannot be used; the message names file, line and key."""


def parse(data: bytes, source: str) -> Organisation:
    """The organisation a file's bytes describe; ``source`` names it in errors."""
    text = data.decode("utf-8", errors="replace")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise OrganisationFileError(f"{source}: {error}") from None
    return _build(doc, _Reader(text, source), source, hashlib.sha256(data).hexdigest())


def canonical_content(doc: dict[str, Any]) -> str:
    """The parsed file as canonical JSON (sorted keys, no spaces): what the log keeps of it, so a
    past configuration is rebuilt without its comments, layout or TOML parser
    (``from_content``)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def from_content(content: str, source: str, digest: str) -> Organisation:
    """The organisation recorded in the log as ``canonical_content`` of a file with ``digest``."""
    try:
        doc = json.loads(content)
    except ValueError as error:
        raise OrganisationFileError(f"{source}: recorded content is not JSON: {error}") from None
    if not isinstance(doc, dict):
        raise OrganisationFileError(f"{source}: recorded content is not a table")
    return _build(doc, _Reader("", source), source, digest)


def _build(doc: dict[str, Any], reader: _Reader, source: str, digest: str) -> Organisation:
    reader.keys(doc, TOP_KEYS, "")
    if doc.get("format", FORMAT) != FORMAT:
        reader.fail("format", f"format {doc.get('format')!r} is not {FORMAT}")
    dva = reader.table(doc, "dva_access")
    for role in dva:
        reader.choice(Role, role, f"dva_access.{role}")
    access = tuple(
        (role, reader.choice(DvaAccess, dva[role], f"dva_access.{role}")) for role in sorted(dva)
    )
    forces = reader.table(doc, "forces")
    if not forces:
        reader.fail("forces", "no forces are configured")
    four_eyes = reader.table(doc, "four_eyes")
    reader.keys(four_eyes, FOUR_EYES_KEYS, "four_eyes")
    return Organisation(
        tuple(_force(reader, code, forces[code]) for code in forces),
        access,
        source,
        digest,
        canonical_content(doc),
        reader.boolean(four_eyes.get("home_office", True), "four_eyes.home_office"),
    )


def _force(reader: _Reader, code: str, raw: Any) -> Force:
    where = f"forces.{code}"
    if not isinstance(raw, dict):
        reader.fail(where, "must be a table")
    reader.keys(raw, FORCE_KEYS, where)
    if code != code.strip().upper() or not code.isalnum():
        reader.fail(where, "a force code is upper-case letters and digits, such as MPS")
    policy = DataPolicy(
        reader.choice(CustodyDbAccess, raw.get("custody_db", "none"), f"{where}.custody_db"),
        reader.choice(AcroSharing, raw.get("acro_sharing", "restricted"), f"{where}.acro_sharing"),
        reader.boolean(raw.get("io_status_checks", True), f"{where}.io_status_checks"),
    )
    suites = raw.get("suites", [])
    if not isinstance(suites, list):
        reader.fail(f"{where}.suites", "must be an array of tables ([[forces.X.suites]])")
    return Force(
        code,
        reader.string(raw.get("name"), f"{where}.name"),
        reader.boolean(raw.get("in_london", False), f"{where}.in_london"),
        tuple(_suite(reader, f"{where}.suites", i, s) for i, s in enumerate(suites)),
        policy,
    )


def _suite(reader: _Reader, where: str, index: int, raw: Any) -> Suite:
    at = f"{where}[{index}]"
    if not isinstance(raw, dict):
        reader.fail(at, "must be a table")
    reader.keys(raw, SUITE_KEYS, at)
    shifts = raw.get("io_shifts", [])
    if not isinstance(shifts, list):
        reader.fail(f"{at}.io_shifts", 'must be a list such as ["07:00-22:00"]')
    db = raw.get("custody_db")
    return Suite(
        reader.string(raw.get("name"), f"{at}.name"),
        reader.choice(SuiteModel, raw.get("model", "call_out"), f"{at}.model"),
        tuple(reader.shift(s, f"{at}.io_shifts") for s in shifts),
        reader.boolean(raw.get("cid_access", False), f"{at}.cid_access"),
        None if db is None else reader.choice(CustodyDbAccess, db, f"{at}.custody_db"),
    )


class _Reader:
    """Checks values and, for a bad one, finds the line of its key in the file's text."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source

    def fail(self, key: str, problem: str) -> NoReturn:
        raise OrganisationFileError(f"{self.source}:{self.line_of(key)}: {key}: {problem}")

    def keys(self, table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                self.fail(f"{where}.{key}".lstrip("."), f"unknown key; expected one of "
                          f"{', '.join(sorted(allowed))}")  # fmt: skip

    def table(self, doc: dict[str, Any], key: str) -> dict[str, Any]:
        found = doc.get(key, {})
        if not isinstance(found, dict):
            self.fail(key, "must be a table")
        return found

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
        return str(value).strip()

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return bool(value)

    def choice(self, kind: Any, value: Any, key: str) -> Any:
        try:
            return kind(value)
        except ValueError:
            self.fail(key, f"{value!r} is not one of {', '.join(k.value for k in kind)}")

    def shift(self, value: Any, key: str) -> Shift:
        match = _SHIFT.match(value) if isinstance(value, str) else None
        try:
            if match is None:
                raise ValueError
            return Shift(time.fromisoformat(match[1]), time.fromisoformat(match[2]))
        except ValueError:
            self.fail(key, f'{value!r} is not a shift such as "07:00-22:00"')

    def line_of(self, key: str) -> int:
        """The line that sets ``key`` (``forces.MPS.suites[1].model``), or its table's header,
        or 1; an inline table or dotted key is found by its last part."""
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", key)
        best = 1
        for number, table, name in self._entries():
            if _matches(table, name, parts):
                return number
            if name is None and _matches(table, None, parts[: len(table)]) and table:
                best = number
        return best

    def _entries(self) -> Iterator[tuple[int, list[str], str | None]]:
        """(line, table path with array indexes, key or None for a header) in file order."""
        table: list[str] = []
        counts: dict[str, int] = {}
        for number, line in enumerate(self.lines, 1):
            stripped = line.strip()
            header = re.match(r"^(\[\[?)\s*([^\]]+?)\s*\]\]?", stripped)
            if header:
                names = [p.strip().strip('"') for p in header[2].split(".")]
                if header[1] == "[[":
                    path = ".".join(names)
                    counts[path] = counts.get(path, -1) + 1
                    names = [*names, f"[{counts[path]}]"]
                table = names
                yield number, table, None
                continue
            assignment = re.match(r'^"?([A-Za-z0-9_-]+)"?\s*=', stripped)
            if assignment:
                yield number, table, assignment[1]


def _matches(table: list[str], name: str | None, parts: list[str]) -> bool:
    return [*table, *([name] if name else [])] == parts
