"""Setting up: ``init``, ``locate``, ``demo`` and ``serve``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from casetracker import paths
from casetracker.cli.common import LARGEST_INTEGER, DbOption, JsonOption, emit, state
from casetracker.domain.errors import UsageError


def init(
    ctx: typer.Context,
    db: DbOption = None,
    realm: Annotated[str, typer.Option(help="live, demo or training")] = "live",
    roles: Annotated[
        str, typer.Option(help="Roles for you, the first user (comma separated)")
    ] = "admin",
    grant_to: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL: give this role what the application needs, and nothing that "
            "edits history (docs/postgresql.md)"
        ),
    ] = None,
) -> None:
    """Create the database, or bring its schema up to date."""
    from casetracker.domain.identity import parse_roles
    from casetracker.services.setup import (
        create_database,
        grant_application_role,
        head_revision,
        require_grant_target,
    )

    url = state(ctx).url(db)
    if grant_to is not None:
        require_grant_target(url)  # before anything is created
    done = create_database(url, realm, parse_roles(roles))
    if done.created:
        word = "created"
    elif done.upgraded_from:
        word = f"upgraded from schema {done.upgraded_from} to {head_revision()}"
    else:
        word = "is up to date"
    typer.echo(f"{done.info.realm} database {word}: {url}")
    if done.read_models_rederived:
        typer.echo("worklists, deadlines and reports derived again by this release's rules")
    if grant_to is not None:
        grant_application_role(url, grant_to)
        typer.echo(f"granted the application's privileges to {grant_to}")


def locate(ctx: typer.Context, db: DbOption = None, json_out: JsonOption = False) -> None:
    """Print where casetracker keeps its configuration and data."""
    data = {
        "config_dir": str(paths.config_dir()),
        "config_file": str(paths.config_file()),
        "organisation_file": str(paths.organisation_file()),
        "data_dir": str(paths.data_dir()),
        "database": state(ctx).url(db),  # --db, before or after the command, as elsewhere
        "demo_database": str(paths.demo_db_path()),
        "training_database": str(paths.training_db_path()),
        "signing_key": str(paths.signing_key_file()),
        "public_key": str(paths.public_key_file()),
    }
    emit(data, json_out, [f"{k:18} {v}" for k, v in data.items()])


def demo(
    ctx: typer.Context,
    cases: Annotated[
        int,
        typer.Option(
            help="Generated cases, besides the two case studies", min=0, max=LARGEST_INTEGER
        ),
    ] = 300,
    no_ui: Annotated[
        bool, typer.Option("--no-ui", help="Create the database, do not open it")
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Delete the demo database and generate it again, its cases timed from now "
            "(only a database marked demo is ever deleted)",
        ),
    ] = False,
) -> None:
    """Create the demo database (if absent) and open it in the terminal UI.

    Its cases are timed from when it was generated, so a day later every PACE clock has run
    out: `--fresh` generates it again."""
    from casetracker.services.demo import build_demo, discard_demo

    if state(ctx).db:  # the demo is always its own file: never build it over, or open, another
        raise UsageError(
            f"demo uses its own database, {paths.demo_db_path()} (`casetracker locate`), not "
            "--db: open another database in the terminal UI with `casetracker --db DB` (no command)"
        )
    url = paths.database_url(str(paths.demo_db_path()))
    if fresh and discard_demo(paths.demo_db_path()):
        typer.echo(f"deleted the demo database at {paths.demo_db_path()}", err=True)
    if not paths.demo_db_path().exists():
        typer.echo(f"creating the demo database at {paths.demo_db_path()} …", err=True)

        def report(done: int, total: int) -> None:
            if done % 50 == 0 or done == total:
                typer.echo(f"  {done}/{total} generated cases", err=True)

        build_demo(url, cases, progress=report)
    if not no_ui:
        from tui.app import run_tui

        options = state(ctx)
        run_tui(url, as_user=options.as_user, role=options.role)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", min=0, max=65535)] = 8000,
    allow_live: Annotated[
        bool,
        typer.Option(
            "--allow-live",
            help="Serve a live database too (behind an authenticating reverse proxy only)",
        ),
    ] = False,
) -> None:
    """Serve the terminal UI in a browser (textual-serve).

    There is no login of its own: whoever reaches the port acts as the user the server runs
    as.  A live database is refused unless --allow-live says it sits behind an
    authenticating reverse proxy; a demo or training database, or localhost, needs no more.
    """
    import shlex

    from textual_serve.server import Server

    from casetracker.services.setup import open_database

    options = state(ctx)
    engine, info = open_database(options.url())  # refuses a missing or foreign database
    engine.dispose()
    if info.realm == "live" and not allow_live:
        raise UsageError(
            "serve has no login of its own: it refuses a live database unless --allow-live "
            "is given (put it behind an authenticating reverse proxy)"
        )
    typer.echo(
        f"casetracker serve: no login of its own — whoever reaches http://{host}:{port} acts "
        f"as {options.as_user or 'the user this server runs as'} on the {info.realm} database",
        err=True,
    )
    argv = [sys.executable, "-m", "casetracker", "--db", options.url()]
    if options.as_user:
        argv += ["--as", options.as_user]
    if options.role:
        argv += ["--role", options.role]
    Server(shlex.join(argv), host=host, port=port, title="casetracker").serve()


def register(app: typer.Typer) -> None:
    """Add these commands to the main application."""
    app.command()(init)
    app.command()(locate)
    app.command()(demo)
    app.command()(serve)
