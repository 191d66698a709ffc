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

LARGEST_INTEGER = 2**63 - 1  # what a database integer holds: a larger number is refused as usage
CHECKPOINT_FILE_LIMIT = 1 << 20  # a checkpoint is a few hundred bytes; a larger file is refused


def one_line_text(value: str | None) -> str | None:
    """A justification as recorded: its runs of whitespace become one space; any other control
    character (or an undecodable byte) would make the log's encoding ambiguous, so is refused."""
    from casetracker.integrity.encoding import text_is_clean  # not for --help: see lazy.py

    if value is not None and not text_is_clean(" ".join(value.split())):
        raise typer.BadParameter("must not contain control characters or undecodable bytes")
    return value


def exact_text(value: str | None) -> str | None:
    """A value recorded as given (an idempotency key, a role, a user's name): no control
    character, no undecodable byte."""
    from casetracker.integrity.encoding import text_is_clean  # not for --help: see lazy.py

    if value is not None and not text_is_clean(value):
        raise typer.BadParameter("must not contain control characters or undecodable bytes")
    return value


def idempotency_key_text(value: str | None) -> str | None:
    """A retry key as given (``exact_text``), refused at once when the service would refuse it
    (``services.work.key_refused``: a key a tick keeps for itself, or longer than an event
    holds), before any database is opened."""
    value = exact_text(value)
    if value is not None:
        from casetracker.services.work import key_refused  # not for --help: see lazy.py

        problem = key_refused(value)
        if problem is not None:
            raise typer.BadParameter(problem)
    return value


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


def read_bounded(path: Path, limit: int, too_large: str) -> bytes:
    """A file's bytes, refused (``too_large`` says why) past ``limit`` without reading on."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if len(raw) > limit:
        raise UsageError(f"{path} is over {limit} bytes{too_large}")
    return raw


def read_json_file(path: Path) -> dict[str, Any]:
    """A checkpoint file's object; its size and nesting are bounded before it is trusted."""
    raw = read_bounded(path, CHECKPOINT_FILE_LIMIT, ": not a checkpoint")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from None
    except ValueError:  # a number of more digits than Python converts (4,300)
        raise UsageError(f"{path} holds a number too long to read: not a checkpoint") from None
    except RecursionError:
        raise UsageError(f"{path} is nested too deeply: not a checkpoint") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a checkpoint")
    return data
