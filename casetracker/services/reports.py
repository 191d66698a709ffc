"""Management-information reports over the indexed MI tables
(``casetracker.adapters.report_tables``).

Recommendation 1 asks for a picture of referrals per force, whichever route they took; fn 13
warns that WYP's 2,920 direct referrals counted *people* while its 881 CCU referrals counted
*calls*.  So the referrals report always says which unit it counts, in its title, in every CSV
row and in the JSON, and can give either; the two are never added together.  Each report is a
``Table`` (title, columns, rows, notes) so the CLI and the TUI render the same thing.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from casetracker.adapters import mi_model, organisation_log, report_queries
from casetracker.adapters.database import read_transaction
from casetracker.adapters.mi_model import SPELL_KINDS
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.errors import UsageError
from casetracker.domain.organisation import Organisation, OrganisationHistory
from casetracker.services.registry import organisation

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker

UNITS = ("calls", "people")
FORMATS = ("table", "csv", "json")
FOREIGN = tuple(sorted(mi_model.FOREIGN))
ROUTES = ("ccu", "local_io", "local_ice_office")


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            **self.meta,
            "columns": self.columns,
            "rows": [dict(zip(self.columns, row, strict=True)) for row in self.rows],
            "notes": self.notes,
        }


def render(table: Table, fmt: str) -> str:
    """The table as aligned text, CSV (header row first) or JSON."""
    if fmt == "json":
        return json.dumps(table.as_dict(), indent=2, ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows(table.rows)
        return out.getvalue().rstrip("\n")
    if fmt != "table":
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    headings = HEADINGS.get(table.meta.get("report", ""), {})
    cell = _duration_cell if table.meta.get("report") == "durations" else _cell
    cells = [
        [headings.get(c, c) for c in table.columns],
        *[[cell(c, v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows],
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
    lines = [table.title, ""]
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", *table.notes] if table.notes else []
    return "\n".join(lines)


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "-"
    if "rate" in column:
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


# What the table format prints over each column (CSV and JSON keep the column names, which
# scripts read): a heading a person reads, per report.
HEADINGS: dict[str, dict[str, str]] = {
    "referrals": {
        "ccu": "CCU", "local_io": "local IO", "local_ice_office": "local ICE office",
        "io_sweep": "IO sweep", "local_any": "local (any)", "not_referred": "not referred",
        "ccu_rate": "CCU %", "local_rate": "local %", "not_referred_rate": "not referred %",
        "io_sweep_rate": "IO sweep %",
    },
    "releases": {
        "suite_model": "suite model", "io_shifts": "IO shifts", "left_custody": "left custody",
        "left_in_hours": "in IO hours", "left_out_of_hours": "out of IO hours",
        "before_io": "before IO", "before_io_in_hours": "before IO, in hours",
        "before_io_out_of_hours": "before IO, out of hours",
        "before_io_hours_unknown": "before IO, hours unknown",
        "before_io_home_office_acted": "before IO, HO acted",
        "before_io_not_dealt_with": "before IO, not dealt with",
        "rate_in_hours": "% in hours", "rate_out_of_hours": "% out of hours",
    },
    "durations": {
        "still_open": "still open", "median_h": "median", "p90_h": "90th pct",
        "mean_h": "mean", "max_h": "longest",
    },
}  # fmt: skip
DAYS_FROM_HOURS = 48  # a duration this long or longer reads better in days


def _duration_cell(column: str, value: Any) -> str:
    """A duration in hours (``..._h``) as ``5.3 h``, or ``12.4 d`` from two days up."""
    if not column.endswith("_h") or value is None:
        return _cell(column, value)
    if value >= DAYS_FROM_HOURS:
        return f"{value / 24:.1f} d"
    return f"{value:.1f} h"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _london() -> tuple[str, ...]:
    return tuple(f.code for f in organisation().forces if f.in_london)


# ---------------------------------------------------------------------------- referrals


def referrals(conn: Connection, year: int, count: str = "calls") -> Table:
    """Per force: arrests of foreign nationals and their referrals by route (¶4.8–4.12)."""
    if count not in UNITS:
        raise UsageError(f"--count must be one of {', '.join(UNITS)} (fn 13: never both at once)")
    london = set(_london())
    found: list[Sequence[Any]]
    if count == "calls":
        counted = report_queries.referral_calls(conn, year, FOREIGN)
        # Calls add up across forces (people do only when nobody spans two: see below).
        by_force = [(f, n, c, i, o, s, i + o, none) for f, n, c, i, o, s, none in counted]
        found = [*by_force, *_totals(by_force, london)]
    else:
        # One row per person and force already: count rows.  A person arrested by two forces
        # is one person in the totals, so those group by person first.
        found = report_queries.referral_people(conn, year)
        if not report_queries.someone_spans_forces(conn, year):
            found += _totals(found, london)  # the totals are sums of rows
        else:
            for label, excluded in (("All forces", ()), ("Outside London", sorted(london))):
                total = report_queries.referral_people_total(conn, year, excluded)
                found.append((label, *total))
    rows: list[list[Any]] = []
    for name, arrested, ccu, local_io, ice, sweep, local, none in found:
        if not arrested:
            continue
        row = [name, arrested, ccu or 0, local_io or 0, ice or 0, sweep or 0, local or 0, none or 0]
        row += [_rate(row[2], arrested), _rate(row[6], arrested), _rate(row[7], arrested)]
        row += [_rate(row[5], arrested)]
        rows.append([*row, count])
    if count == "calls":
        unit = (
            "calls: every arrest and every referral counted, repeat calls about one arrest "
            "included; rates are referrals per arrest (the measure of ¶4.8)"
        )
    else:
        unit = (
            "people: each person counted once per force and route however often arrested or "
            "referred; rates are per person arrested; a person referred by two routes is in both"
        )
    return Table(
        f"Referrals of arrested foreign nationals, {year}, counted as {count.upper()}",
        [
            "force", "arrested", "ccu", "local_io", "local_ice_office", "io_sweep", "local_any",
            "not_referred", "ccu_rate", "local_rate", "not_referred_rate", "io_sweep_rate", "unit",
        ],
        rows,
        [
            f"Unit: {unit}.",
            "fn 13: people and calls are different units; compare like with like.",
            "Foreign nationals: arrests whose nationality was recorded as EEA or non-EEA (¶3.1).",
            "io_sweep: found by an IO sweep of a custody list (¶4.3), also counted by route.",
            _rates_add_up(rows),
        ],
        {"report": "referrals", "year": year, "unit": count},
    )  # fmt: skip


def _rates_add_up(rows: list[list[Any]]) -> str:
    """Whether CCU, local and not-referred rates make 100% in every row, and if not, where and
    why: an arrest referred more than once counts once per route (or per call)."""
    over = [row[0] for row in rows if row[2] + row[6] + row[7] != row[1]]
    if not over:
        return "Rates: CCU + local + not referred = 100% of arrests in every row (IO sweep apart)."
    return (
        f"Rates: CCU + local + not referred exceed 100% for {', '.join(over)}: an arrest referred "
        "more than once (a repeat call, or by two routes) counts once per referral."
    )


def _totals(rows: list, london: set[str]) -> list[tuple]:
    """'All forces' and 'Outside London' as column sums of per-force rows."""
    if not rows:
        return []
    outside = [r for r in rows if r[0] not in london]

    def add(label: str, chosen: list) -> tuple:
        return (label, *(sum(r[i] or 0 for r in chosen) for i in range(1, 8)))

    return [add("All forces", rows), add("Outside London", outside)]


# ---------------------------------------------------------------------------- releases


RELEASE_GROUPINGS = ("suite", "model", "shifts")
_RELEASE_COUNTS = [
    "left_custody", "left_in_hours", "left_out_of_hours", "before_io", "before_io_in_hours",
    "before_io_out_of_hours", "before_io_hours_unknown", "before_io_home_office_acted",
    "before_io_not_dealt_with",
]  # fmt: skip


def releases(conn: Connection, year: int | None = None, by: str = "suite") -> Table:
    """Immigration offenders who left police custody before an IO saw them, in and out of IO
    hours, and whether the Home Office had dealt with them first (¶4.21–4.23), per suite, per
    suite model (¶4.13–4.19, Recommendation 2) or per IO shift pattern (Recommendation 3)."""
    if by not in RELEASE_GROUPINGS:
        raise UsageError(f"--by must be one of {', '.join(RELEASE_GROUPINGS)}, not {by!r}")
    history = organisation_log.history(conn)
    groups: dict[tuple[str, ...], list[int]] = {}
    for force, suite, left_at, before, acted, written, n in report_queries.release_moments(
        conn, year
    ):
        org, in_hours = _in_force(history, force, suite, left_at, written)
        key = _release_group(org, by, force, suite)
        counts = _release_counts(bool(before), bool(acted), in_hours, int(n))
        total = groups.setdefault(key, [0] * len(_RELEASE_COUNTS))
        groups[key] = [a + b for a, b in zip(total, counts, strict=True)]
    rows = [[*key, *_release_figures(c)] for key, c in sorted(groups.items())]
    if rows:
        totals = [sum(column) for column in zip(*groups.values(), strict=True)]
        blank = [""] * (len(_RELEASE_KEYS[by]) - 1)
        rows.append(["All", *blank, *_release_figures(totals)])
    return Table(
        "Immigration offenders who left police custody before an IO saw them"
        + (f", {year}" if year else "")
        + ("" if by == "suite" else f", by {_RELEASE_BY_LABEL[by]}"),
        [*_RELEASE_KEYS[by], *_RELEASE_COUNTS, "rate_in_hours", "rate_out_of_hours"],
        rows,
        [
            "Offenders: a status check found an immigration offender or a known absconder.",
            "Left police custody: released, no further action, police bail, charged and remanded "
            "or bailed to court, or ran away (¶4.22).",
            "Home Office acted: reporting directions, removal papers, a deportation decision, a "
            "request to hold or immigration detention before leaving (Figure 1); not dealt with: "
            "none of those.",
            "IO hours, suite models and shift patterns come from the organisation file in force "
            "when each person left, as recorded in the log (casetracker organisation history; "
            "docs/organisation.md); without a configured suite or an exact time the hours are "
            "unknown.",
            "The two rates do not add up: each is per leaver at that time (in IO hours, out of "
            "them), and leavers whose hours are unknown are in neither.",
            *_history_notes(history),
        ],
        {"report": "releases", "year": year, "by": by},
    )


_RELEASE_KEYS = {"suite": ["force", "suite"], "model": ["suite_model"], "shifts": ["io_shifts"]}
_RELEASE_BY_LABEL = {"model": "suite model", "shifts": "IO shift pattern"}
_UNCONFIGURED = "(no configured suite)"


def _in_force(
    history: OrganisationHistory, force: str, suite_name: str, left_at: str, written: bool | None
) -> tuple[Organisation, bool | None]:
    """The organisation in force when the person left, and whether that was in its IO hours at
    their suite (None: no configured suite, or no exact time)."""
    if not left_at:  # a row from before migration 0013: as written, under the file then
        return history.in_force_now() or organisation(), written
    left = parse_canonical(left_at)
    org = history.in_force(left.start) or organisation()
    found = org.force(force)
    suite = found.suite(suite_name) if found and suite_name else None
    if suite is None or not left.is_exact:
        return org, None
    return org, suite.in_io_hours(left.start)


def _release_counts(before: bool, acted: bool, in_hours: bool | None, n: int) -> list[int]:
    """One group of leavers as the report's counts, in ``_RELEASE_COUNTS`` order."""
    inside, outside, unknown = in_hours is True, in_hours is False, in_hours is None
    flags = (
        True, inside, outside, before, before and inside, before and outside,
        before and unknown, before and acted, before and not acted,
    )  # fmt: skip
    return [n if flag else 0 for flag in flags]


def _history_notes(history: OrganisationHistory) -> list[str]:
    if not history.versions:
        return [
            "No organisation file is recorded in the log yet: this uses the file in use "
            "(an admin records it with `casetracker organisation record`)."
        ]
    notes = [
        f"Organisation file versions recorded: {len(history.versions)}; each release is "
        "measured under the one in force then."
    ]
    if history.latest_digest != organisation().digest:
        notes.append(
            "The organisation file in use is not the one recorded last: until an admin records "
            "it (`casetracker organisation record`), measures follow the recorded versions."
        )
    return notes


def _release_group(org: Organisation, by: str, force: str, suite_name: str) -> tuple[str, ...]:
    if by == "suite":
        return (force, suite_name or _UNCONFIGURED)
    found = org.force(force)
    suite = found.suite(suite_name) if found and suite_name else None
    if suite is None:
        return (_UNCONFIGURED,)
    if by == "model":
        return (suite.model.value,)
    return (suite.shift_pattern,)


def _release_figures(c: list[int]) -> list[Any]:
    in_hours, out_hours, before_in, before_out = c[1], c[2], c[4], c[5]
    return [*c, _rate(before_in, in_hours), _rate(before_out, out_hours)]


# ---------------------------------------------------------------------------- durations

_KIND_LABELS = {
    "status_check_turnaround": "status check: referral to result",
    "etd_turnaround": "ETD: application to decision",
    "immigration_detention": "immigration detention",
    "absconder": "absconder: listing to re-encounter",
}


def durations(conn: Connection, year: int | None = None) -> Table:
    """Time in state: how long checks, ETDs, detention and absconding last (in hours)."""
    rows: list[list[Any]] = []
    for kind in SPELL_KINDS:
        still = report_queries.open_spells(conn, kind, year)
        hours = [s / 3600 for s in report_queries.ended_spell_seconds(conn, kind, year)]
        rows.append(
            [
                kind, _KIND_LABELS[kind], len(hours), still,
                _round(statistics.median(hours)) if hours else None,
                _round(hours[min(len(hours) - 1, int(0.9 * len(hours)))]) if hours else None,
                _round(statistics.fmean(hours)) if hours else None,
                _round(hours[-1]) if hours else None,
            ]
        )  # fmt: skip
    return Table(
        "Time in state" + (f", spells starting in {year}" if year else ""),
        ["measure", "what", "ended", "still_open", "median_h", "p90_h", "mean_h", "max_h"],
        rows,
        [
            "Measured between the starts of the recorded effective times; a day- or "
            "month-precision time makes the figure approximate.",
            f"Table: h = hours, d = days (from {DAYS_FROM_HOURS} h); CSV and JSON give hours.",
        ],
        {"report": "durations", "year": year},
    )


def _round(value: float) -> float:
    return round(value, 2)


# ---------------------------------------------------------------------------- high harm


def high_harm(conn: Connection) -> Table:
    """Cases meeting the High Harm criteria (fn 8), by criterion."""
    rows: list[list[Any]] = [
        [criterion, count] for criterion, count in report_queries.high_harm_counts(conn)
    ]
    rows.append(["any criterion", report_queries.high_harm_cases(conn)])
    return Table(
        "Cases meeting the High Harm criteria (fn 8)",
        ["criterion", "cases"],
        rows,
        ["A case meeting several criteria is counted under each, and once under 'any'."],
        {"report": "high-harm"},
    )


def read_report(service: Casetracker, build: Callable[..., Table], **params: Any) -> Table:
    """``build`` (one of the reports above) over the service's database, in a read transaction
    of its own, so that the CLI and the TUI's worker threads ask for a report, not a
    connection."""
    with read_transaction(service.engine) as conn:
        return build(conn, **params)
