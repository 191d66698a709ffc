"""Users and their roles: ``user add|list``."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from casetracker.cli.common import JsonOption, emit, state

user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: str,
    roles: Annotated[str, typer.Option(help="Comma-separated roles")],
    display_name: Annotated[str, typer.Option(help="Full name")] = "",
    force: Annotated[
        str, typer.Option(help="A police user's force code, e.g. WMP: they see only its cases")
    ] = "",
    superintendent: Annotated[
        bool | None,
        typer.Option(
            "--superintendent/--not-superintendent",
            help="A police user who may authorise a PACE extension (four eyes); "
            "unchanged when not given",
        ),
    ] = None,
) -> None:
    """Register a user (or change their roles); needs the admin role."""
    with closing(state(ctx).service()) as ct:
        _, code = ct.register_user(name, roles, display_name, force, superintendent)
    marked = " superintendent" if superintendent else ""
    typer.echo(f"user {name}: {roles}" + (f" ({code})" if code else "") + marked)


@user_app.command("list")
def user_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Every registered user, their roles and (for the police) their force."""
    with closing(state(ctx).service()) as ct:
        users = ct.users()
        emit(
            {"users": [u.__dict__ for u in users]},
            json_out,
            [
                f"{u.name:16} {','.join(u.roles):40} {u.force:5} {u.display_name}"
                + (" (superintendent)" if u.superintendent else "")
                for u in users
            ],
            ct.realm,
        )
