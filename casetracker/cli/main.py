"""The command line: thin over the services, one clear line on stderr for every error.

This module holds the application, its global options and the entry point; the commands live in
one module per group (``setup``, ``cases``, ``integrity``, ``workflows``, ``users``, ``mi``,
``scenario``), sharing ``casetracker.cli.common``.  Exit codes: 0 done · 1 refused (unknown
case, stale version, blocked action, damaged log) · 2 usage (a malformed date, field or
option).  Every reading command has ``--json``.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Sequence
from typing import Annotated, NoReturn

import typer

from casetracker.cli import analytics, cases, deadlines, integrity, setup, worklist
from casetracker.cli import mi as cli_mi
from casetracker.cli.cases import case_app
from casetracker.cli.common import DbOption, State, exact_text
from casetracker.cli.organisation import organisation_app
from casetracker.cli.scenario import scenario_app
from casetracker.cli.users import user_app
from casetracker.cli.workflows import workflows_app
from casetracker.domain.errors import CasetrackerError, UsageError
from casetracker.services.driver_errors import driver_errors_refused

app = typer.Typer(
    help="Case tracker: explicit lifecycles, an append-only tamper-evident log, a terminal UI.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(case_app, name="case")
app.add_typer(user_app, name="user")
app.add_typer(workflows_app, name="workflows")
app.add_typer(scenario_app, name="scenario")
app.add_typer(organisation_app, name="organisation")
cli_mi.register(app)  # synth, import, sample, export, report (issue 6)
setup.register(app)  # init, locate, demo, serve
cases.register(app)  # replay
integrity.register(app)  # verify, checkpoint, rebuild, access-log
worklist.register(app)  # worklist
deadlines.register(app)  # due, tick (issue 16)
analytics.register(app)  # export-log, report flow, simulate (issue 19)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: DbOption = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act as this seeded user (demo and training databases only)",
            callback=exact_text,
        ),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="Act in this role (one the user holds)", callback=exact_text),
    ] = None,
) -> None:
    ctx.obj = State(db, as_user, role)
    if ctx.invoked_subcommand is None:
        from tui.app import run_tui

        run_tui(ctx.obj.url(), as_user=as_user, role=role)


DEBUG_VARIABLE = "CASETRACKER_DEBUG"


def refuse_undecodable(arguments: Sequence[str]) -> None:
    """Every argument must be UTF-8 text: Python hands undecodable bytes on as lone surrogates,
    which no database, log or file name the commands write can hold."""
    for number, argument in enumerate(arguments, start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(
                f"argument {number} ({_bytes_of(argument)}) is not valid UTF-8"
            ) from None


def _bytes_of(argument: str) -> str:
    """The bytes a terminal passed, as ``C-\\xff`` (or the text's escapes if it came otherwise)."""
    try:
        return os.fsencode(argument).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return ascii(argument)[1:-1]


_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})


def printable(message: str) -> str:
    """A message as one line, whatever text it quotes: a control character, a line or paragraph
    separator or an undecodable byte is written as its escape (``\\n``, ``\\x1e``)."""
    return "".join(
        ascii(c)[1:-1] if unicodedata.category(c) in _UNPRINTABLE else c for c in message
    )


def fail(message: str, code: int) -> NoReturn:
    typer.echo(f"casetracker: {printable(message)}", err=True)
    sys.exit(code)


def main() -> None:
    """Console entry point: one line on stderr and a meaningful exit code for every error.

    An error a database driver raises (a damaged file, text that is not UTF-8, a server gone)
    arrives as the services' ``DatabaseError``.  Any other exception is a bug: it is reported as
    one "internal error" line (exit 1), and with ``CASETRACKER_DEBUG=1`` it keeps its traceback,
    as it does in the tests.
    """
    try:
        refuse_undecodable(sys.argv[1:])
        with driver_errors_refused():
            code = app(standalone_mode=False)
    except CasetrackerError as exc:
        fail(str(exc), exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        ctx = getattr(exc, "ctx", None)
        hint = f" — see `{ctx.command_path} --help`" if ctx is not None else ""
        fail(f"{exc.format_message()}{hint}", exc.exit_code)
    except typer.Abort:
        fail("aborted", 1)
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        fail(
            f"internal error ({type(exc).__name__}: {exc}); please report it, "
            f"with the traceback {DEBUG_VARIABLE}=1 shows",
            1,
        )
    sys.exit(code if isinstance(code, int) else 0)
