"""Importing a custody system's arrest feed (CSV), all or nothing (docs/import-format.md).

Recommendation 1 wants every referral recorded centrally, including those made locally; forces
keep arrests in their own custody systems (¶4.25), so a feed is the realistic way in.  Every row
is checked first - columns, values, and then each resulting action through the engine, exactly
as a caseworker's would be - and only a file with no error is written, in one transaction.  An
error names the line and the column.  Rows sharing a ``person_ref`` become one case, its arrests
in time order (Figure 1: one person, many arrests).  Every bad row is reported at once, up to
``MAX_REPORTED``, each at the line its record starts on.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from casetracker.adapters.database import write_transaction
from casetracker.domain import clock
from casetracker.domain.effective_time import EffectiveTime, EffectiveTimeError, parse
from casetracker.domain.errors import NotPermitted, Refused, UsageError
from casetracker.domain.rules.referral import NATIONALITY_GROUPS, ROUTE_OF_ACTION
from casetracker.services.bulk import BulkStep, BulkValidator, PreparedCase, StepRefused, write
from casetracker.services.cases import OPEN_ACTION, Casetracker

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
FILE_LIMIT = 1 << 30  # bytes of one feed, held in memory (as a bundle's): a year is ~40 MB
MAX_REPORTED = 20  # errors listed before "and N more": enough to fix a feed in one pass
_YES = {"yes", "y", "true", "1"}
_NO = {"", "no", "n", "false", "0"}


class RowError(UsageError):
    def __init__(self, line: int, column: str, message: str) -> None:
        where = f"line {line}, column {column}" if column else f"line {line}"
        super().__init__(f"{where}: {message}")
        self.line = line
        self.refused = False  # True: understood, but a rule refuses it (exit code 1)


class ImportErrors:
    """The file's errors, collected so that every bad row is reported, not only one."""

    def __init__(self) -> None:
        self.found: list[RowError] = []

    def add(self, error: RowError) -> None:
        self.found.append(error)

    def raise_any(self) -> None:
        """One error, its exit code that of the errors: refused (1) only when every error is
        a refusal, else a usage error (2); the lines in file order, at most ``MAX_REPORTED``."""
        if not self.found:
            return
        ordered = sorted(self.found, key=lambda e: e.line)
        lines = [str(e) for e in ordered[:MAX_REPORTED]]
        if len(ordered) > MAX_REPORTED:
            lines.append(f"and {len(ordered) - MAX_REPORTED} more errors")
        message = "\n".join(lines)
        if all(e.refused for e in ordered):
            raise Refused(message)
        raise UsageError(message)


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


def read_rows(text: str, now: datetime, errors: ImportErrors) -> list[_Row]:
    """Parse and check the file's structure; times are read now so rows can be ordered.

    The reader is strict, so a quote opened and never closed is an error at the line the
    record starts on, not a field that swallows the rest of the file.  The csv module refuses
    a field longer than its limit (131,072 characters, which no column of the format comes
    near) the same way.  Past such an error the file cannot be read, so reading stops there.
    """
    reader = csv.DictReader(io.StringIO(text), strict=True)
    rows: list[_Row] = []
    read = [1]  # the last line of the last record read (the header's, to begin with)
    try:
        _read_rows(reader, now, errors, rows, read)
    except csv.Error as exc:
        errors.add(RowError(read[-1] + 1, "", f"not readable CSV ({_csv_problem(exc)})"))
    if not rows and not errors.found:
        raise UsageError("the file holds no rows to import")
    return rows


def _csv_problem(exc: csv.Error) -> str:
    if "unexpected end of data" in str(exc):
        return "a quoted value opened on this line is never closed"
    return str(exc)


def _read_rows(
    reader: csv.DictReader[str],
    now: datetime,
    errors: ImportErrors,
    rows: list[_Row],
    read: list[int],
) -> None:
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RowError(1, missing[0], "required column missing from the header")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise RowError(1, unknown[0], "not a column of the import format")
    read.append(reader.line_num)
    for raw in reader:
        line = read[-1] + 1  # a quoted value may span lines: name the record's first
        read.append(reader.line_num)
        if None in raw:
            errors.add(RowError(line, "", "more values than the header has columns"))
            continue
        values = {k.strip(): (v or "").strip() for k, v in raw.items()}
        empty = [c for c in REQUIRED if not values.get(c)]
        for column in empty:
            errors.add(RowError(line, column, "required, but empty"))
        if empty:
            continue
        try:
            rows.append(_Row(line, values, _time(line, "arrested_at", values["arrested_at"], now)))
        except RowError as error:
            errors.add(error)


def _time(line: int, column: str, text: str, now: datetime) -> EffectiveTime:
    try:
        return parse(text, now)
    except EffectiveTimeError as exc:
        raise RowError(line, column, str(exc)) from None


def _steps(
    person: list[_Row], actor_user: str, role: str, key: str, now: datetime, errors: ImportErrors
) -> tuple:
    """One case's steps, and for each step the line it came from; a row's bad value is added
    to ``errors`` and the case's other rows are still checked (its steps are then not used)."""
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
    for number, row in enumerate(person, 1):
        try:
            _row_steps(row, number, add, now)
        except RowError as error:
            errors.add(error)
    return steps, origin


def _row_steps(row: _Row, number: int, add: Callable[..., None], now: datetime) -> None:
    """The steps of one arrest row, through ``add``; a bad value raises ``RowError``."""
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
    basis = v.get("nationality_basis") or "claimed"
    said = "verified_nationality" if basis == "verified" else "nationality"  # kept apart
    add(
        row, "encounter", number, "record_nationality", row.arrested,
        **{said: v.get("nationality")}, nationality_group=v["nationality_group"],
        nationality_basis=basis,
    )  # fmt: skip
    route = v["referral_route"]
    if route not in ROUTES:
        raise RowError(row.line, "referral_route", f"{route!r} is not one of {', '.join(ROUTES)}")
    if ROUTES[route]:
        referred = (
            _time(row.line, "referred_at", v["referred_at"], now)
            if v.get("referred_at")
            else row.arrested
        )
        add(row, "status_check", None, ROUTES[route], referred, encounter=number)
    outcome = v.get("outcome", "")
    if outcome:
        if outcome not in OUTCOMES:
            raise RowError(row.line, "outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
        if not v.get("outcome_at"):
            raise RowError(row.line, "outcome_at", "required when an outcome is given")
        when = _time(row.line, "outcome_at", v["outcome_at"], now)
        add(row, "encounter", number, OUTCOMES[outcome], when)


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
    text: str,
    validator: BulkValidator,
    actor_user: str,
    role: str,
    now: datetime,
    progress: Callable[[int, int | None], None] | None = None,
    opening_refused: Callable[[str], str | None] = lambda force: None,
) -> tuple[int, list[PreparedCase]]:
    """Every row checked through the engine; every error found (each case stops at its first
    refused step) is raised together, by ``ImportErrors.raise_any``.  ``progress`` is told the
    rows checked so far and how many there are, person by person; ``opening_refused`` says why
    the importer may not open a case for a force (None: they may)."""
    errors = ImportErrors()
    rows = read_rows(text, now, errors)
    key = "import-" + hashlib.sha256(text.encode()).hexdigest()[:16]
    people: dict[str, list[_Row]] = {}
    for row in rows:
        if row.values["nationality_group"] not in NATIONALITY_GROUPS:
            groups = ", ".join(NATIONALITY_GROUPS)
            errors.add(RowError(row.line, "nationality_group", f"must be one of {groups}"))
            continue
        people.setdefault(row.values["person_ref"], []).append(row)
    prepared = []
    checked = 0
    for person in people.values():
        if progress is not None:
            progress(checked, len(rows))
        checked += len(person)
        person.sort(key=lambda r: r.arrested.sort_key())
        refusal = opening_refused(person[0].values["force"])
        if refusal is not None:  # the case would be opened for that force, by its first arrest
            error = RowError(person[0].line, "force", refusal)
            error.refused = True
            errors.add(error)
            continue
        before = len(errors.found)
        steps, origin = _steps(person, actor_user, role, key, now, errors)
        if len(errors.found) > before:
            continue
        try:
            prepared.append(validator.prepare(steps))
        except StepRefused as exc:
            error = RowError(origin[exc.step], _COLUMN_OF.get(exc.field, ""), exc.message)
            error.refused = exc.exit_code == 1
            errors.add(error)
    errors.raise_any()
    return len(rows), prepared


def import_file(
    ct: Casetracker, path: Path, progress: Callable[[int, int | None], None] | None = None
) -> ImportResult:
    """Validate the whole file, then write it in one transaction (or write nothing);
    ``progress`` follows the check, which is most of the time an import takes."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(FILE_LIMIT + 1)
        if len(raw) > FILE_LIMIT:  # /dev/zero had been read until memory ran out
            raise UsageError(f"{path} is over {FILE_LIMIT} bytes: split the feed")
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text: {exc}") from None
    except OSError as exc:  # a directory, a file the user may not read
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    actor = ct.actor
    now = clock.now()
    validator = BulkValidator(ct.flow, ct.realm, now)
    count, prepared = prepare(
        text, validator, actor.user, actor.role, now, progress, _opening_refused(ct)
    )
    first_key = prepared[0].events[0].idempotency_key or ""
    with write_transaction(ct.engine) as conn:
        if ct.store.recorded_for_keys(conn, [(first_key, "case", "open_case")]):
            raise Refused(f"{path.name} was imported before: nothing imported again")
        ids = write(conn, ct.store, prepared)
    events = sum(len(p.events) for p in prepared)
    return ImportResult(count, len(ids), events, ids[0], ids[-1])


def _opening_refused(ct: Casetracker) -> Callable[[str], str | None]:
    """Why the importer may not open a case for a force, by the check ``case open`` makes
    (``ForceBoundary._within_force``, which logs the refusal): a police officer imports their
    own force's arrests only.  Each force is asked once, so a feed of another force's rows is
    one logged refusal, and every row it opens a case for is named with the same reason."""
    actor = ct.actor
    answers: dict[str, str | None] = {}

    def refused(force: str) -> str | None:
        if not actor.force_bound:
            return None
        code = force.strip().upper()
        if code not in answers:
            try:
                ct._within_force(actor, None, OPEN_ACTION, {"force": code})
                answers[code] = None
            except NotPermitted as exc:
                answers[code] = str(exc)
        return answers[code]

    return refused
