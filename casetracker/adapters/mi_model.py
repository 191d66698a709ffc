"""Deriving the management-information rows of one case from its folded view.

Recommendation 1 asks that every referral be recorded centrally, whichever route it took, so
that referral rates per force can be known (¶4.8–4.12).  The log already holds each referral as
the first step of a ``status_check`` instance naming its encounter; this module turns a case's
view into indexed rows (``casetracker.adapters.report_tables``) so that a year's reports over ~2
million events answer in well under a second.  The same function serves the per-action read model,
the bulk path (``casetracker.services.bulk``) and ``rebuild``, so the three can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from casetracker.adapters import bulk_insert
from casetracker.adapters.database import driver_sql, write_transaction
from casetracker.adapters.organisation_file import configured
from casetracker.adapters.report_tables import MI_TABLES
from casetracker.domain.case_view import CaseView, Instance, Step
from casetracker.domain.deadlines import CASE
from casetracker.domain.effective_time import DEFAULT_ZONE
from casetracker.domain.organisation import Organisation
from casetracker.domain.rules import high_harm
from casetracker.domain.rules.field_values import as_text
from casetracker.domain.rules.io_coverage import io_coverage
from casetracker.domain.rules.referral import ROUTE_OF_ACTION, SWEEP_ACTION

RESULT_ACTIONS = frozenset(
    {
        "record_no_trace",
        "record_lawful_status",
        "record_known_absconder",
        "record_immigration_offender",
    }
)
OFFENDER_RESULTS = frozenset({"record_known_absconder", "record_immigration_offender"})
MI_WORKFLOWS = frozenset({"encounter", "status_check", "etd", "detention", "reporting"})

# Spell kinds: (lifecycle, action that starts the spell, actions that end it; None = any next).
SPELLS: dict[str, tuple[str, str, frozenset[str] | None]] = {
    "etd_turnaround": (
        "etd",
        "apply_for_etd",
        frozenset({"record_etd_issued", "record_etd_refused"}),
    ),
    "immigration_detention": ("detention", "detain_under_immigration_powers", None),
    "absconder": ("reporting", "list_as_absconder", None),
}
STATUS_CHECK_TURNAROUND = "status_check_turnaround"
SPELL_KINDS = (STATUS_CHECK_TURNAROUND, *SPELLS)

_TABLE_COLUMNS = {table.name: tuple(table.c.keys()) for table in MI_TABLES}


@dataclass
class MiRows:
    """Rows for the five tables, each a tuple in its table's column order (``report_tables``)."""

    arrests: list[tuple] = field(default_factory=list)
    people: list[tuple] = field(default_factory=list)
    referrals: list[tuple] = field(default_factory=list)
    spells: list[tuple] = field(default_factory=list)
    high_harm: list[tuple] = field(default_factory=list)

    def copy(self) -> MiRows:
        """Rows of their own (lists a caller may extend), the same rows."""
        return MiRows(
            list(self.arrests),
            list(self.people),
            list(self.referrals),
            list(self.spells),
            list(self.high_harm),
        )

    def extend(self, other: MiRows) -> None:
        self.arrests += other.arrests
        self.people += other.people
        self.referrals += other.referrals
        self.spells += other.spells
        self.high_harm += other.high_harm

    def for_case(self, case_id: str) -> MiRows:
        """The same rows under another case id (prepared before the store allocated it)."""

        def swap(rows: list[tuple]) -> list[tuple]:
            return [(case_id, *row[1:]) for row in rows]

        return MiRows(
            swap(self.arrests),
            swap(self.people),
            swap(self.referrals),
            swap(self.spells),
            swap(self.high_harm),
        )

    def by_table(self) -> dict[str, list[tuple]]:
        return {
            "mi_arrests": self.arrests,
            "mi_people": self.people,
            "mi_referrals": self.referrals,
            "mi_spells": self.spells,
            "mi_high_harm": self.high_harm,
        }


def moment_text(moment: datetime) -> str:
    """UTC, second precision, fixed width: text order is time order."""
    if moment.year >= 1000:  # strftime's text, in a fifth of the time (a year has millions)
        # The first 19 characters, to the second, are the same whatever follows them (a
        # fraction, an offset): ``timespec`` is not needed, and its keyword cost two thirds.
        return moment.isoformat()[:19] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def local_year(moment: datetime) -> int:
    if moment.tzinfo is not None and 1 < moment.month < 12:
        return moment.year  # no UTC offset moves a moment out of February-November's year
    return moment.astimezone(DEFAULT_ZONE).year


def rows_for(view: CaseView, org: Organisation | None = None) -> MiRows:
    """Every MI row the case contributes, derived from its view and nothing else."""
    org = org or configured()
    case_id = view.case_id
    out = MiRows()
    encounters = {e.number: e for e in view.of("encounter")}
    checks_by_encounter: dict[int, list[tuple[str, str]]] = {}
    for check in view.of("status_check"):
        start = check.started
        if start is None:
            continue
        number = _int(check.fields.get("encounter"))
        encounter = encounters.get(number)
        route = ROUTE_OF_ACTION.get(start.action, start.action)
        ended = next((s for s in check.history if s.action in RESULT_ACTIONS), None)
        result = ended.action if ended else ""
        checks_by_encounter.setdefault(number, []).append((route, result))
        at = start.effective.start
        out.referrals.append(
            (
                case_id, check.number, number, _force(encounter), route, moment_text(at),
                local_year(at), _group(encounter), result, result in OFFENDER_RESULTS,
            )
        )  # fmt: skip
        out.spells.append(_spell(case_id, STATUS_CHECK_TURNAROUND, check.number, start, ended))
    for number, encounter in encounters.items():
        start = encounter.started
        if start is None:
            continue
        checks = checks_by_encounter.get(number, [])
        routes = [route for route, _ in checks]
        coverage = io_coverage(encounter, org, view)
        at = start.effective.start
        out.arrests.append(
            (
                case_id, number, _force(encounter),
                coverage.held_at, moment_text(at), local_year(at),
                _group(encounter), routes[0] if routes else "none", routes.count("ccu"),
                routes.count("local_io"), routes.count("local_ice_office"),
                any(result in OFFENDER_RESULTS for _, result in checks), coverage.released,
                coverage.seen_by_io, coverage.released_before_seen, coverage.in_io_hours,
                coverage.left_by, coverage.home_office_acted, _found_by_sweep(encounter, checks),
                coverage.release.effective.text if coverage.release else "",
            )
        )  # fmt: skip
    out.people.extend(_people(case_id, out.arrests))
    for kind, (workflow, starter, enders) in SPELLS.items():
        instance = view.one(workflow)
        if instance is not None:
            out.spells.extend(_spells_of(case_id, kind, instance, starter, enders))
    out.high_harm.extend(_high_harm(view, encounters))
    return out


FOREIGN = frozenset({"eea", "non_eea"})  # nationality groups counted as foreign nationals (¶3.1)


def _people(case_id: str, arrests: list[tuple]) -> list[tuple]:
    """The person's arrests as a foreign national summed per (year, force)."""
    sums: dict[tuple[int, str], list[int]] = {}
    for row in arrests:
        if row[6] not in FOREIGN:
            continue
        total = sums.setdefault((row[5], row[2]), [0, 0, 0, 0, 0])
        total[0] += 1
        total[1] += row[8]
        total[2] += row[9]
        total[3] += row[10]
        total[4] += row[18]
    return [(case_id, year, force, *counts) for (year, force), counts in sums.items()]


def _spells_of(
    case_id: str, kind: str, instance: Instance, starter: str, enders: frozenset[str] | None
) -> Iterable[tuple]:
    history = instance.history
    number = 0
    for i, step in enumerate(history):
        if step.action != starter:
            continue
        number += 1
        ended = next(
            (s for s in history[i + 1 :] if enders is None or s.action in enders),
            None,
        )
        yield _spell(case_id, kind, number, step, ended)


def _spell(case_id: str, kind: str, number: int, start: Step, end: Step | None) -> tuple:
    """Durations run between the starts of the two effective times (the earliest bounds)."""
    began = start.effective.start
    if end is None:
        return (case_id, kind, number, moment_text(began), None, None, local_year(began))
    finished = end.effective.start
    seconds = max(0.0, (finished - began).total_seconds())
    return (
        case_id, kind, number, moment_text(began), moment_text(finished), seconds,
        local_year(began),
    )  # fmt: skip


def _high_harm(view: CaseView, encounters: dict[int, Instance]) -> list[tuple]:
    """Each criterion met on any occasion, with its first evidence (fn 8)."""
    if not _may_meet_high_harm(view, encounters):
        return []
    found: dict[str, str] = {}
    occasions: list[int | None] = list(encounters) or [None]
    for number in occasions:
        for criterion in high_harm.assess(view, number).criteria:
            found.setdefault(criterion.name, criterion.evidence)
    if not found:
        return []
    latest = encounters[max(encounters)] if encounters else None
    return [(view.case_id, name, _force(latest), evidence) for name, evidence in found.items()]


_LISTED = frozenset().union(*high_harm.SERIOUS_CATEGORIES.values())


def _may_meet_high_harm(view: CaseView, encounters: dict[int, Instance]) -> bool:
    """Cheap pre-check: a listed arrest, any conviction, or an ACRO result could meet fn 8."""
    if "acro_check" in view.lifecycles():  # an instance of it, whatever its number
        return True
    return any(
        e.fields.get("offence_category") in _LISTED or e.first("convict") is not None
        for e in encounters.values()
    )


def _found_by_sweep(encounter: Instance, checks: list[tuple[str, str]]) -> int:
    """1 when nobody referred the arrest until an IO's sweep of the custody list found the
    person and a status check followed (¶4.3, ¶4.5); the check's own route is counted too."""
    return int(bool(checks) and encounter.first(SWEEP_ACTION) is not None)


def _force(encounter: Instance | None) -> str:
    return as_text(encounter.fields.get("force")).upper() if encounter else ""


def _group(encounter: Instance | None) -> str:
    return as_text(encounter.fields.get("nationality_group")) if encounter else ""


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


# ---------------------------------------------------------------------------- writing


def _run(conn: Connection, query: str, params: Any = ()) -> Any:
    return driver_sql(conn, query, params, "report_tables")


def insert(conn: Connection, rows: MiRows) -> None:
    """Insert rows for cases that have none yet (the bulk path)."""
    for table, batch in rows.by_table().items():
        bulk_insert.insert_rows(conn, table, _TABLE_COLUMNS[table], batch)


def case_rows(view: CaseView) -> MiRows | None:
    """What the case contributes to the report tables; None for a case that never enters them
    (no arrest, check or spell yet), whose rows need not even be deleted.

    The rows read nothing of the case's own record: of the steps of every record, only
    the Home Office's (``io_coverage.HOME_OFFICE_DEALT_WITH``), none of which is an action
    of the case's own record.  So they are kept on the view with the case's other records
    (``CaseView.records_besides``) and the organisation file, and given again while those
    are as they were: a note (most actions) adds a step to the case's own record only."""
    if MI_WORKFLOWS.isdisjoint(view.lifecycles()):
        return None
    org = configured()
    basis = (view.case_id, org, view.records_besides(CASE))
    kept = view.derived.get(_DERIVED)
    if kept is None or kept[0] != basis:
        kept = view.derived[_DERIVED] = (basis, rows_for(view, org))
    return kept[1].copy()


_DERIVED = "report_rows"


def replace(conn: Connection, case_id: str, rows: MiRows | None) -> None:
    """The read model: replace the case's rows, in the transaction of the event just recorded."""
    if rows is None:
        return
    for table in _TABLE_COLUMNS:
        _run(conn, f"DELETE FROM {table} WHERE case_id = ?", (case_id,))
    insert(conn, rows)


def rebuild(
    engine: Engine,
    flow: Any,
    progress: Callable[[int], None] | None = None,
    batch: int = 5000,
) -> int:
    """Recompute every MI row from the log, in one write transaction; returns cases folded."""
    from casetracker.adapters.case_stream import case_views

    org = configured()
    cases = 0
    with write_transaction(engine) as conn:
        for table in MI_TABLES:
            conn.execute(table.delete())
        pending = MiRows()
        for view in case_views(conn, flow, progress):
            pending.extend(rows_for(view, org))
            cases += 1
            if cases % batch == 0:
                insert(conn, pending)
                pending = MiRows()
        insert(conn, pending)
    return cases
