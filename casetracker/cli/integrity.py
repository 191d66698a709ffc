"""Integrity: ``verify``, ``checkpoint``, ``rebuild`` and ``access-log``."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from casetracker.cli import mi as cli_mi
from casetracker.cli.common import LARGEST_INTEGER, JsonOption, emit, read_json_file, state
from casetracker.presenters.text import counted


def verify_cmd(
    ctx: typer.Context,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Also check against a checkpoint kept elsewhere")
    ] = None,
    json_out: JsonOption = False,
    bundle: Annotated[
        Path | None, typer.Option(help="Verify this export bundle instead, with no database")
    ] = None,
    thorough: Annotated[
        bool,
        typer.Option(
            help="Check the database file with SQLite's integrity_check (every index against "
            "its table) instead of the quicker quick_check"
        ),
    ] = False,
) -> None:
    """Re-check every chain, the projection and the access log; exit 1 if anything is wrong."""
    if bundle is not None:
        if not cli_mi.verify_bundle_file(bundle, json_out):
            raise typer.Exit(1)
        return
    saved = read_json_file(checkpoint) if checkpoint else None
    with closing(state(ctx).service()) as ct:
        report = ct.verify(saved, thorough)
        lines = [f"{counted(report.events, 'event')} in {counted(report.cases, 'case')} checked"]
        lines += [f"DAMAGED {d}" for d in report.damaged]
        lines += [f"PROBLEM {p}" for p in report.problems]
        lines.append("intact" if report.ok else "NOT intact")
        emit(report.as_dict(), json_out, lines, ct.realm)
    if not report.ok:
        raise typer.Exit(1)


def checkpoint_cmd(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of standard output")
    ] = None,
) -> None:
    """Print a small summary of the whole log to keep somewhere else."""
    with closing(state(ctx).service()) as ct:
        data = ct.checkpoint()
    text = json.dumps(data, indent=2)
    if out:
        out.write_text(text + "\n")
        typer.echo(f"checkpoint at position {data['position']} written to {out}")
    else:
        typer.echo(text)


def rebuild(ctx: typer.Context) -> None:
    """Recompute every case's current state from the log."""
    with closing(state(ctx).service()) as ct:
        count = ct.rebuild()
    typer.echo(f"rebuilt the current state of {counted(count, 'case')} and every read model")


def access_log_cmd(
    ctx: typer.Context,
    case_id: Annotated[str | None, typer.Argument()] = None,
    limit: Annotated[int, typer.Option(min=1, max=LARGEST_INTEGER)] = 50,
    json_out: JsonOption = False,
) -> None:
    """Who consulted, disclosed or was refused what (newest last)."""
    from casetracker.presenters.text import access_line

    with closing(state(ctx).service()) as ct:
        entries = ct.access_entries(case_id, limit)
        emit(
            {"entries": [e.as_dict() for e in entries]},
            json_out,
            [access_line(e) for e in entries],
            ct.realm,
        )


def register(app: typer.Typer) -> None:
    """Add these commands to the main application."""
    app.command("verify")(verify_cmd)
    app.command("checkpoint")(checkpoint_cmd)
    app.command()(rebuild)
    app.command("access-log")(access_log_cmd)
