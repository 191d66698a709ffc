"""Auditors' and managers' commands: synth, import, sample, export, report (GitHub issue 6).

Registered on the main app by ``casetracker.cli.main``.  Like every command there, each error a user
can cause prints one line on stderr and exits 2 (usage) or 1 (refused), leaving the database as
it was; the services below raise before they write.
"""

from __future__ import annotations

import json
import os
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer

from casetracker.cli.common import LARGEST_INTEGER, JsonOption, one_line_text, read_bounded
from casetracker.cli.progress import QuietOption
from casetracker.domain.errors import UsageError
from casetracker.presenters.text import counted

report_app = typer.Typer(
    help="Management information: referrals, releases, durations, High Harm.",
    no_args_is_help=True,
)

FormatOption = Annotated[str, typer.Option("--format", help="table, csv or json")]


def _service(ctx: typer.Context):
    return ctx.obj.service()


def synth(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="Calendar year of the arrests", min=1, max=9999)] = 2015,
    arrests: Annotated[
        int,
        typer.Option(help="Arrests of foreign nationals to generate", min=0, max=LARGEST_INTEGER),
    ] = 190_000,
    seed: Annotated[int, typer.Option(help="Same seed, same data", min=0, max=LARGEST_INTEGER)] = 1,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes generating and checking cases (default: CPUs)",
            min=0,
            max=LARGEST_INTEGER,
        ),
    ] = 0,
    quiet: QuietOption = False,
) -> None:
    """Generate a year of SYNTHETIC arrests shaped like the report's figures (demo/training)."""
    from casetracker.cli.progress import progress
    from casetracker.domain import clock
    from casetracker.services.synthetic_year import (
        expected_events,
        generate_year,
        refuse_synthetic,
    )

    if arrests < 1:
        raise UsageError("--arrests must be at least 1")
    if not 2000 <= year < clock.now().year:
        raise UsageError(f"--year must be a past year from 2000 (not {year})")
    with closing(_service(ctx)) as ct:
        refuse_synthetic(ct, seed, year)
        total = expected_events(arrests)
        done = [0]
        with progress("synth", "events", quiet) as update:
            update(0, total)

            def advance(_cases: int, events: int) -> None:
                done[0] += events
                update(done[0], total)

            started = clock.now()
            people, result = generate_year(
                ct, seed=seed, year=year, arrests=arrests,
                workers=workers or (os.cpu_count() or 1), progress=advance,
            )  # fmt: skip
        seconds = (clock.now() - started).total_seconds()
    rate = result.events / seconds if seconds else 0
    typer.echo(
        f"SYNTHETIC data: {arrests:,} arrests of {people:,} people, {result.events:,} events in "
        f"{result.cases:,} cases ({result.first_case}..{result.last_case}), "
        f"{seconds:.1f} s, {rate:,.0f} events/s"
    )


def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV arrest feed (docs/import-format.md)")],
    json_out: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Import a custody system's arrest feed: every row checked first, all or nothing."""
    from casetracker.cli.progress import progress
    from casetracker.services.imports import import_file

    with closing(_service(ctx)) as ct, progress("import: checking", "rows", quiet) as update:
        result = import_file(ct, file, progress=update)
    data = result.__dict__
    if json_out:
        typer.echo(json.dumps(data, indent=2))
    else:
        typer.echo(
            f"imported {result.rows} rows: {result.cases} cases, {result.events} events "
            f"({result.first_case}..{result.last_case})"
        )


def sample(
    ctx: typer.Context,
    per_force: Annotated[
        int, typer.Option(help="Cases drawn from each force (¶2.1: 40)", min=0, max=LARGEST_INTEGER)
    ] = 40,
    forces: Annotated[str, typer.Option(help="Comma-separated force codes")] = "MPS,WMP,WYP",
    start: Annotated[str, typer.Option("--from", help="First referral day, e.g. 2015-06-01")] = "",
    end: Annotated[str, typer.Option("--to", help="Last referral day, e.g. 2015-11-30")] = "",
    offenders_only: Annotated[
        bool, typer.Option(help="Only checks that found an immigration offender (fn 2)")
    ] = False,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the draw (required)", min=0, max=LARGEST_INTEGER)
    ] = None,
    route: Annotated[
        str | None, typer.Option(help="Only referrals by this route: ccu, local_io, ...")
    ] = None,
    reason: Annotated[
        str, typer.Option(help="Why the sample is drawn (logged)", callback=one_line_text)
    ] = "",
    json_out: JsonOption = False,
) -> None:
    """Draw a reproducible stratified random sample of cases, as the inspection did (¶2.1)."""
    from casetracker.services import sampling
    from casetracker.services.disclosure import draw_sample

    if seed is None:
        raise UsageError("--seed is required: it makes the sample reproducible and is logged")
    if not start or not end:
        raise UsageError("--from and --to are required (the inspection: 2015-06-01..2015-11-30)")
    req = sampling.request(forces, per_force, start, end, offenders_only, seed, route)
    with closing(_service(ctx)) as ct:
        drawn = draw_sample(ct, req, reason)
    if json_out:
        typer.echo(json.dumps(drawn.as_dict(), indent=2))
        return
    typer.echo(
        f"sample: {per_force} per force from {req.start}..{req.end}, seed {seed}"
        + (", offenders only" if offenders_only else "")
    )
    for force, cases in drawn.cases.items():
        typer.echo(f"{force} (of {drawn.population[force]}): {' '.join(cases)}")


def export(
    ctx: typer.Context,
    cases: Annotated[list[str], typer.Argument(help="Case ids to export")],
    out: Annotated[Path, typer.Option(help="Bundle file to write")],
    reason: Annotated[
        str, typer.Option(help="Justification, logged (required)", callback=one_line_text)
    ] = "",
    json_out: JsonOption = False,
) -> None:
    """Write cases as a bundle anyone can verify offline (docs/bundle-format.md)."""
    from casetracker.services.disclosure import export_bundle

    with closing(_service(ctx)) as ct:
        summary = export_bundle(ct, cases, reason, out)
    if json_out:
        typer.echo(json.dumps(summary, indent=2))
    else:
        typer.echo(
            f"exported {counted(summary['cases'], 'case')}, "
            f"{counted(summary['events'], 'event')} to {out}"
        )


def verify_bundle_file(path: Path, json_out: bool, key: Any = None) -> bool:
    """``verify --bundle``: check a bundle without any database; True when intact.  With the
    exporter's public key ``key``, also its signed tree head and every inclusion proof."""
    from casetracker.integrity.bundle import SIZE_LIMIT, verify

    data = read_bounded(path, SIZE_LIMIT, ", the largest bundle verified")
    report = verify(data, key)
    if json_out:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        lines = [
            f"bundle {path}: {counted(report.events, 'event')} in "
            f"{counted(report.cases, 'case')} checked"
        ]
        lines += [f"DAMAGED {p}" for p in report.problems]
        if report.withheld:
            lines.append(
                f"WITHHELD {counted(report.withheld, 'event')} redacted for the exporter "
                "(¶4.32): checked by stored hash, not content"
            )
        if report.note:
            lines.append(f"NOTE {report.note}")
        elif report.proven:
            lines.append("every event is in the log of the tree head signed by this key")
        lines.append("intact" if report.ok else "NOT intact")
        typer.echo("\n".join(lines))
    return report.ok


ChartOption = Annotated[
    bool, typer.Option("--chart", help="Draw the report's chart in the terminal, under the table")
]


def _report(ctx: typer.Context, build, fmt: str, chart: bool = False, **params) -> None:
    from casetracker.services.reports import FORMATS, read_report, render

    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    if chart and fmt != "table":
        raise UsageError("--chart draws under the table: leave out --format, or give table")
    with closing(_service(ctx)) as ct:
        table = read_report(ct, build, **params)
    typer.echo(render(table, fmt))
    if chart:
        from casetracker.cli.charts import report_chart

        typer.echo("")
        typer.echo(report_chart(table.meta["report"], table.columns, table.rows))


@report_app.command("referrals")
def report_referrals(
    ctx: typer.Context,
    year: Annotated[int, typer.Option(help="Year of arrest", min=1, max=9999)],
    count: Annotated[str, typer.Option(help="people or calls (fn 13)")] = "calls",
    fmt: FormatOption = "table",
    chart: ChartOption = False,
) -> None:
    """Per force: arrests of foreign nationals, referrals by route, rates - in one unit."""
    from casetracker.services.reports import referrals

    _report(ctx, referrals, fmt, chart, year=year, count=count)


@report_app.command("releases")
def report_releases(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option(help="Year of arrest (default all)", min=1, max=9999)
    ] = None,
    fmt: FormatOption = "table",
    by: Annotated[
        str,
        typer.Option(
            help="Group by suite, model (hub / spoke / rota, Recommendation 2) or shifts "
            "(IO shift pattern, Recommendation 3)"
        ),
    ] = "suite",
    chart: ChartOption = False,
) -> None:
    """Offenders who left police custody before an IO saw them (¶4.21–4.23): in and out of IO
    hours, and whether the Home Office had dealt with them first."""
    from casetracker.services.reports import releases

    _report(ctx, releases, fmt, chart, year=year, by=by)


@report_app.command("durations")
def report_durations(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option(help="Year the spells started (default all)", min=1, max=9999)
    ] = None,
    fmt: FormatOption = "table",
    chart: ChartOption = False,
) -> None:
    """Time in state: status-check and ETD turnaround, detention, absconder spells."""
    from casetracker.services.reports import durations

    _report(ctx, durations, fmt, chart, year=year)


@report_app.command("high-harm")
def report_high_harm(
    ctx: typer.Context, fmt: FormatOption = "table", chart: ChartOption = False
) -> None:
    """Cases meeting the High Harm criteria, by criterion (fn 8)."""
    from casetracker.services.reports import high_harm

    _report(ctx, high_harm, fmt, chart)


def register(app: typer.Typer) -> None:
    """Add these commands to the main application."""
    app.command("synth")(synth)
    app.command("import")(import_cmd)
    app.command("sample")(sample)
    app.command("export")(export)
    app.add_typer(report_app, name="report")
