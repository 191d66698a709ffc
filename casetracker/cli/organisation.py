"""The organisation file's versions in the log: ``organisation record|history``."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from casetracker.cli.common import JsonOption, emit, state

organisation_app = typer.Typer(
    help="The organisation file's versions, recorded in the log (docs/organisation.md).",
    no_args_is_help=True,
)


@organisation_app.command("record")
def organisation_record(
    ctx: typer.Context,
    effective: Annotated[
        str | None,
        typer.Option(help="In force from (default now): measures of later moments use it"),
    ] = None,
) -> None:
    """Record the organisation file in use (casetracker locate), if it changed; needs admin."""
    with closing(state(ctx).service()) as ct:
        done = ct.record_organisation(effective)
    if done.position and done.effective is not None:
        typer.echo(
            f"recorded organisation version {done.position}: {done.source} "
            f"(sha256 {done.digest[:12]}), in force from {done.effective:%Y-%m-%d %H:%M} UTC"
        )
    else:
        typer.echo(f"{done.source} (sha256 {done.digest[:12]}) is already the version recorded")


@organisation_app.command("history")
def organisation_history(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Every recorded version of the organisation file, oldest first."""
    with closing(state(ctx).service()) as ct:
        history = ct.organisation_history()
        rows = [
            {
                "version": n,
                "in_force_from": v.effective.isoformat(),
                "digest": v.organisation.digest,
                "source": v.organisation.source,
                "recorded": v.recorded,
                "recorded_by": v.recorded_by,
            }
            for n, v in enumerate(history.versions, 1)
        ]
        emit(
            {"versions": rows},
            json_out,
            [
                f"{r['version']:>3}  from {r['in_force_from']}  sha256 {str(r['digest'])[:12]}  "
                f"by {r['recorded_by']} at {r['recorded']}"
                for r in rows
            ]
            or ["no organisation file is recorded yet (casetracker organisation record)"],
            ct.realm,
        )
