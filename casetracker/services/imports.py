"""Importing a custody system's arrest feed (CSV), all or nothing (docs/import-format.md).

Recommendation 1 wants every referral recorded centrally, including those made locally; forces
keep arrests in their own custody systems (¶4.25), so a feed is the realistic way in.  Every row
is checked first - columns, values, and then each resulting action through the engine, exactly
as a caseworker's would be - and only a file with no error is written, in one transaction.  An
error names the line and the column.  Rows sharing a ``person_ref`` become one case, its arrests
in time order (Figure 1: one person, many arrests).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from casetracker.adapters.database import write_transaction
from casetracker.domain import clock
from casetracker.domain.effective_time import EffectiveTime, EffectiveTimeError, parse
from casetracker.domain.errors import Refused, UsageError
from casetracker.domain.rules.referral import NATIONALITY_GROUPS, ROUTE_OF_ACTION
from casetracker.services.bulk import BulkStep, BulkValidator, PreparedCase, StepRefused, write
from casetracker.services.cases import Casetracker

REQUIRED = (
    "person_ref", "name", "nationality_group", "force", "arrested_at", "offence",
    "offence_category", "referral_route",
)  # fmt: skip
OPTIONAL = (
    "date_of_birth", "nationality", "nationality_basis", "custody_suite", "immigration_arrest",
    "referred_at", "outcome", "outcome_at",
)  # fmt: skip
ROUTES = {**{route: action for action, route in ROUTE_OF_ACTION.items()}, "none": ""}
OUTCOMES = {
    "released": "release_without_charge",
    "no_further_action": "take_no_further_action",
    "bailed": "bail",
    "charged": "charge",
    "handed_to_immigration": "hand_to_immigration",
}
_YES = {"yes", "y", "true", "1"}
_NO = {"", "no", "n", "false", "0"}


class RowError(UsageError):
    def __init__(self, line: int, column: str, message: str) -> None:
        where = f"line {line}, column {column}" if column else f"line {line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]
    arrested: EffectiveTime


@dataclass(frozen=True)
class ImportResult:
    rows: int
    cases: int
    events: int
    first_case: str
    last_case: str


def read_rows(text: str, now: datetime) -> list[_Row]:
    """Parse and check the file's structure; times are read now so rows can be ordered.

    The csv module refuses a field longer than its limit (131,072 characters, which no column
    of the format comes near) as a usage error naming the line (the one after the last read).
    """
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _read_rows(reader, now)
    except csv.Error as exc:
        raise RowError(reader.line_num + 1, "", f"not readable CSV ({exc})") from None


def _read_rows(reader: csv.DictReader[str], now: datetime) -> list[_Row]:
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RowError(1, missing[0], "required column missing from the header")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise RowError(1, unknown[0], "not a column of the import format")
    rows = []
    for raw in reader:
        line = reader.line_num
        if None in raw:
            raise RowError(line, "", "more values than the header has columns")
        values = {k.strip(): (v or "").strip() for k, v in raw.items()}
        for column in REQUIRED:
            if not values.get(column):
                raise RowError(line, column, "required, but empty")
        rows.append(_Row(line, values, _time(line, "arrested_at", values["arrested_at"], now)))
    if not rows:
        raise UsageError("the file holds no rows to import")
    return rows


def _time(line: int, column: str, text: str, now: datetime) -> EffectiveTime:
    try:
        return parse(text, now)
    except EffectiveTimeError as exc:
        raise RowError(line, column, str(exc)) from None


def _steps(person: list[_Row], actor_user: str, role: str, key: str, now: datetime) -> tuple:
    """One case's steps, and for each step the (line, column prefix) it came from."""
    first = person[0].values
    steps: list[BulkStep] = []
    origin: list[int] = []

    def add(row: _Row, workflow: str, instance: int | None, action: str, when: EffectiveTime,
            **fields: object) -> None:  # fmt: skip
        given = {k: v for k, v in fields.items() if v not in ("", None)}
        step_key = f"{key}:{row.line}:{len(steps) + 1}"
        steps.append(BulkStep(workflow, instance, action, given, when, actor_user, role, step_key))
        origin.append(row.line)

    add(
        person[0], "case", 0, "open_case", person[0].arrested,
        name=first["name"], date_of_birth=first.get("date_of_birth"),
        nationality=first.get("nationality"), identifiers=[f"custody:{first['person_ref']}"],
        force=first["force"].upper(),
    )  # fmt: skip
    checks = 0
    for number, row in enumerate(person, 1):
        v = row.values
        immigration = _flag(row, "immigration_arrest")
        where = {"force": v["force"].upper(), "custody_suite": v.get("custody_suite")}
        if immigration:
            add(row, "encounter", None, "arrest_for_immigration_offence", row.arrested, **where)
        else:
            add(
                row, "encounter", None, "arrest", row.arrested, offence=v["offence"],
                offence_category=v["offence_category"], **where,
            )  # fmt: skip
        add(
            row, "encounter", number, "record_nationality", row.arrested,
            nationality=v.get("nationality"), nationality_group=v["nationality_group"],
            nationality_basis=v.get("nationality_basis") or "claimed",
        )  # fmt: skip
        route = v["referral_route"]
        if route not in ROUTES:
            raise RowError(
                row.line, "referral_route", f"{route!r} is not one of {', '.join(ROUTES)}"
            )
        if ROUTES[route]:
            referred = (
                _time(row.line, "referred_at", v["referred_at"], now)
                if v.get("referred_at")
                else row.arrested
            )
            add(row, "status_check", None, ROUTES[route], referred, encounter=number)
            checks += 1
        outcome = v.get("outcome", "")
        if outcome:
            if outcome not in OUTCOMES:
                raise RowError(
                    row.line, "outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}"
                )
            if not v.get("outcome_at"):
                raise RowError(row.line, "outcome_at", "required when an outcome is given")
            when = _time(row.line, "outcome_at", v["outcome_at"], now)
            add(row, "encounter", number, OUTCOMES[outcome], when)
    return steps, origin


def _flag(row: _Row, column: str) -> bool:
    word = row.values.get(column, "").lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise RowError(row.line, column, f"expected yes or no, not {word!r}")


# Which column each step field comes from, for error messages.
_COLUMN_OF = {
    "name": "name", "date_of_birth": "date_of_birth", "nationality": "nationality",
    "force": "force", "custody_suite": "custody_suite", "offence": "offence",
    "offence_category": "offence_category", "nationality_group": "nationality_group",
    "nationality_basis": "nationality_basis", "encounter": "referral_route",
    "identifiers": "person_ref",
}  # fmt: skip


def prepare(
    text: str, validator: BulkValidator, actor_user: str, role: str, now: datetime
) -> tuple[int, list[PreparedCase]]:
    """Every row checked through the engine; the first error raises ``RowError``."""
    rows = read_rows(text, now)
    key = "import-" + hashlib.sha256(text.encode()).hexdigest()[:16]
    people: dict[str, list[_Row]] = {}
    for row in rows:
        if row.values["nationality_group"] not in NATIONALITY_GROUPS:
            raise RowError(
                row.line, "nationality_group", f"must be one of {', '.join(NATIONALITY_GROUPS)}"
            )
        people.setdefault(row.values["person_ref"], []).append(row)
    prepared = []
    for person in people.values():
        person.sort(key=lambda r: r.arrested.sort_key())
        steps, origin = _steps(person, actor_user, role, key, now)
        try:
            prepared.append(validator.prepare(steps))
        except StepRefused as exc:
            column = _COLUMN_OF.get(exc.field, "")
            error = RowError(origin[exc.step], column, exc.message)
            if exc.exit_code == 1:
                raise Refused(str(error)) from None
            raise error from None
    return len(rows), prepared


def import_file(ct: Casetracker, path: Path) -> ImportResult:
    """Validate the whole file, then write it in one transaction (or write nothing)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text: {exc}") from None
    actor = ct.actor
    now = clock.now()
    validator = BulkValidator(ct.flow, ct.realm, now)
    count, prepared = prepare(text, validator, actor.user, actor.role, now)
    first_key = prepared[0].events[0].idempotency_key or ""
    with write_transaction(ct.engine) as conn:
        if ct.store.recorded_for_keys(conn, [(first_key, "case", "open_case")]):
            raise Refused(f"{path.name} was imported before: nothing imported again")
        ids = write(conn, ct.store, prepared)
    events = sum(len(p.events) for p in prepared)
    return ImportResult(count, len(ids), events, ids[0], ids[-1])
