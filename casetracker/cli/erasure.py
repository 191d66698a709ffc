"""``erase-reason``: an admin erases a reason given for a read that concerns no case."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from casetracker.cli.common import LARGEST_INTEGER, state


def erase_reason(
    ctx: typer.Context,
    position: Annotated[
        int, typer.Argument(help="The access-log entry's position", min=1, max=LARGEST_INTEGER)
    ],
) -> None:
    """Erase the reason kept for a read of no case (a sample's); needs the admin role."""
    from casetracker.services.reason_erasure import erase_reason as erase

    with closing(state(ctx).service()) as ct:
        erase(ct, position)
    typer.echo(f"access-log entry {position}: its reason is erased (logged)")


def register(app: typer.Typer) -> None:
    app.command("erase-reason")(erase_reason)
