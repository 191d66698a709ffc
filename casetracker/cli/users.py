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
) -> None:
    """Register a user (or change their roles); needs the admin role."""
    from casetracker.domain.identity import parse_roles

    with closing(state(ctx).service()) as ct:
        ct.save_user(name, display_name, parse_roles(roles))
    typer.echo(f"user {name}: {roles}")


@user_app.command("list")
def user_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Every registered user and their roles."""
    with closing(state(ctx).service()) as ct:
        users = ct.users()
        emit(
            {"users": [u.__dict__ for u in users]},
            json_out,
            [f"{u.name:16} {','.join(u.roles):40} {u.display_name}" for u in users],
            ct.realm,
        )
