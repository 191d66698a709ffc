"""``repaired``: an admin lifts the refusal to write into a SQLite file verify found damaged."""

from __future__ import annotations

from contextlib import closing

import typer

from casetracker.cli.common import state


def repaired(ctx: typer.Context) -> None:
    """Declare the database file repaired (after restoring a backup or REINDEX): checked with
    SQLite's integrity_check first; needs the admin role."""
    from casetracker.services.file_damage import declare_repaired

    with closing(state(ctx).service()) as ct:
        declare_repaired(ct)
    typer.echo("the database file is whole: writing is allowed again (logged)")


def register(app: typer.Typer) -> None:
    app.command()(repaired)
