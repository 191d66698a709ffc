"""What every command shares: the global options, the service they open, and how they print.

Exit codes: 0 done · 1 refused (unknown case, stale version, blocked action, damaged log) ·
2 usage (a malformed date, field or option).  Every reading command has ``--json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from casetracker import paths
from casetracker.domain.errors import UsageError

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL or SQLite path (default: $CASETRACKER_DB, then the XDG data dir)"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
FieldOption = Annotated[
    list[str] | None, typer.Option("--field", "-f", help="name=value (repeatable)")
]
EffectiveOption = Annotated[
    str | None,
    typer.Option(
        "--effective",
        "-e",
        help="When it happened: 2016-06-24T09:30, 2016-06-24, 2010-12, or A..B (default now)",
    ),
]


class State:
    """Global options, shared by every command through the Typer context."""

    def __init__(self, db: str | None, as_user: str | None, role: str | None) -> None:
        self.db, self.as_user, self.role = db, as_user, role

    def url(self, db: str | None = None) -> str:
        return paths.database_url(db or self.db)

    def service(self, db: str | None = None):
        from casetracker.services.cases import Casetracker

        return Casetracker(self.url(db), as_user=self.as_user, role=self.role)


def state(ctx: typer.Context) -> State:
    return ctx.obj


def require_acting_role(ctx: typer.Context, ct: Any) -> None:
    """Recording in someone's name needs to know which of their roles they act in."""
    actor = ct.actor
    if state(ctx).role is None and len(actor.roles) > 1:
        raise UsageError(
            f"you hold several roles ({', '.join(actor.roles)}): say which you act in with --role"
        )


def emit(data: Any, as_json: bool, text: str | list[str], realm: str | None = None) -> None:
    if as_json:
        if realm is not None and isinstance(data, dict):
            data = {"realm": realm, **data}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    if realm and realm != "live":
        typer.echo(f"[{realm.upper()} DATABASE]")
    typer.echo(text if isinstance(text, str) else "\n".join(text))


def read_json_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a checkpoint")
    return data
