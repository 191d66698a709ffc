"""Auditors' analytics (issue 19): ``export-log`` (XES, OCEL 2.0), ``report flow`` (the process
map) and ``simulate`` (what-if runs of the organisation model, Recommendation 2).

Registered on the main app by ``casetracker.cli.main``; ``report flow`` joins the report group
of ``casetracker.cli.mi``.  Every error a user can cause prints one line and exits 2 (usage) or
1 (refused), leaving the database as it was.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from casetracker.cli.common import LARGEST_INTEGER, JsonOption, one_line_text, read_bounded
from casetracker.cli.mi import report_app
from casetracker.domain.errors import UsageError

SAMPLE_FILE_LIMIT = 16 << 20  # a sample of case ids is small; a larger file is not one


def export_log(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="xes, ocel2-json or ocel2-sqlite")],
    out: Annotated[Path, typer.Option(help="File to write (never overwritten)")],
    reason: Annotated[
        str, typer.Option(help="Justification, logged (required)", callback=one_line_text)
    ] = "",
    start: Annotated[str, typer.Option("--from", help="First day, e.g. 2015-01-01")] = "",
    end: Annotated[str, typer.Option("--to", help="Last day, e.g. 2015-12-31")] = "",
    sample: Annotated[
        Path | None,
        typer.Option(help="Only these cases: `sample --json` output, or one case id a line"),
    ] = None,
    actor_names: Annotated[
        str,
        typer.Option(
            "--actor-names",
            help="Give actors' names instead of pseudonyms; say why (logged)",
            callback=one_line_text,
        ),
    ] = "",
    json_out: JsonOption = False,
) -> None:
    """Export the event log for process-mining tools: XES or OCEL 2.0 (a logged disclosure)."""
    from casetracker.services.process_export import export_log as run_export
    from casetracker.services.process_export import request, sample_case_ids

    ids = None
    if sample is not None:
        ids = sample_case_ids(
            read_bounded(sample, SAMPLE_FILE_LIMIT, ": not a sample"), str(sample)
        )
    req = request(fmt, out, reason, start, end, ids, actor_names)
    with closing(ctx.obj.service()) as ct:
        summary = run_export(ct, req)
    if json_out:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(
        f"exported {summary['events']:,} events of {summary['cases']:,} cases"
        + (f" ({summary['objects']:,} objects)" if summary["objects"] else "")
        + f" as {fmt} to {out}: {summary['bytes']:,} bytes, {summary['seconds']} s, "
        f"actors {summary['actors']}"
    )


@report_app.command("flow")
def report_flow(
    ctx: typer.Context,
    force: Annotated[
        str | None, typer.Option(help="Only cases with an arrest by this force")
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="Only traces starting in this year", min=1, max=9999)
    ] = None,
    lifecycle: Annotated[
        str | None,
        typer.Option(help="Follow one lifecycle's instances (encounter, status_check, ...)"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or mermaid")] = "table",
    top: Annotated[
        int, typer.Option(help="Mermaid: draw the busiest paths only", min=1, max=LARGEST_INTEGER)
    ] = 40,
) -> None:
    """The process map: which step follows which, how often, and the median and p90 waits."""
    from casetracker.presenters.flow_diagram import mermaid
    from casetracker.services.flow import FLOW_FORMATS, flow_table, read_flow
    from casetracker.services.reports import render

    if fmt not in FLOW_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FLOW_FORMATS)}")
    with closing(ctx.obj.service()) as ct:
        graph = read_flow(ct, force=force, year=year, lifecycle=lifecycle)
    typer.echo(mermaid(graph, top) if fmt == "mermaid" else render(flow_table(graph), fmt))


def simulate(
    organisation: Annotated[
        Path, typer.Option("--organisation", help="The organisation file to try (TOML)")
    ],
    baseline: Annotated[
        Path | None,
        typer.Option(help="The organisation to compare with (default: the one in force)"),
    ] = None,
    year: Annotated[int, typer.Option(help="Calendar year of the arrests", min=1, max=9999)] = 2015,
    arrests: Annotated[
        int, typer.Option(help="Arrests to generate per run", min=0, max=LARGEST_INTEGER)
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="First seed", min=0, max=LARGEST_INTEGER)] = 1,
    seeds: Annotated[
        int, typer.Option(help="Seeds to run (the spread of the difference)", min=0, max=1000)
    ] = 3,
    workers: Annotated[
        int, typer.Option(help="Processes (default: CPUs)", min=0, max=LARGEST_INTEGER)
    ] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
) -> None:
    """What if the organisation were different? The same SYNTHETIC year under two organisation
    files, side by side, with the difference and its spread over several seeds (nothing is
    written to any database)."""
    import os

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from casetracker.services.reports import FORMATS, render
    from casetracker.services.simulation import comparison, request, tasks_of
    from casetracker.services.simulation import simulate as run_simulation

    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
    what = request(organisation, baseline, year, arrests, seed, seeds)
    with Progress(
        TextColumn("simulate"), BarColumn(), TimeElapsedColumn(), transient=True,
        console=Console(stderr=True),
    ) as bar:  # fmt: skip
        task = bar.add_task("simulate", total=tasks_of(what))
        tallies = run_simulation(
            what, workers or (os.cpu_count() or 1), lambda n: bar.advance(task, n)
        )
    typer.echo(render(comparison(what, tallies), fmt))


def register(app: typer.Typer) -> None:
    """Add these commands to the main application (``report flow`` is on the report group)."""
    app.command("export-log")(export_log)
    app.command("simulate")(simulate)
