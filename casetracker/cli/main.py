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

from casetracker.cli.common import DbOption, State, exact_text
from casetracker.cli.lazy import HELP_OPTION_NAMES, LazyCommand, lazy_app
from casetracker.domain.errors import CasetrackerError, UsageError
from casetracker.services.driver_errors import driver_errors_refused

_CLI = "casetracker.cli."
# Every top-level command, in the order ``--help`` lists them: its module is imported only when
# it runs (casetracker.cli.lazy; tests/cli/test_startup.py holds each help line to the command's).
COMMANDS = (
    LazyCommand(
        "synth",
        _CLI + "mi:register",
        "Generate a year of SYNTHETIC arrests shaped like the report's figures (demo/training).",
    ),
    LazyCommand(
        "import",
        _CLI + "mi:register",
        "Import a custody system's arrest feed: every row checked first, all or nothing.",
    ),
    LazyCommand(
        "sample",
        _CLI + "mi:register",
        "Draw a reproducible stratified random sample of cases, as the inspection did (¶2.1).",
    ),
    LazyCommand(
        "export",
        _CLI + "mi:register",
        "Write cases as a bundle anyone can verify offline (docs/bundle-format.md).",
    ),
    LazyCommand(
        "init", _CLI + "setup:register", "Create the database, or bring its schema up to date."
    ),
    LazyCommand(
        "locate",
        _CLI + "setup:register",
        "Print where casetracker keeps its configuration and data.",
    ),
    LazyCommand(
        "demo",
        _CLI + "setup:register",
        "Create the demo database (if absent) and open it in the terminal UI.",
    ),
    LazyCommand(
        "serve", _CLI + "setup:register", "Serve the terminal UI in a browser (textual-serve)."
    ),
    LazyCommand(
        "replay",
        _CLI + "cases:register",
        "Rebuild a case from its log, as of an effective date or a recorded moment.",
    ),
    LazyCommand(
        "verify",
        _CLI + "integrity:register",
        "Re-check every chain, both Merkle trees, the projection and the access log; exit 1 if "
        "anything is wrong.",
    ),
    LazyCommand(
        "checkpoint",
        _CLI + "integrity:register",
        "Print a tree head of both logs (a small summary to keep somewhere else).",
    ),
    LazyCommand(
        "rebuild",
        _CLI + "integrity:register",
        "Recompute every case's current state from the log.",
    ),
    LazyCommand(
        "access-log",
        _CLI + "integrity:register",
        "Who consulted, disclosed or was refused what (newest last).",
    ),
    LazyCommand(
        "repaired",
        _CLI + "damage:register",
        "Declare the database file repaired (after restoring a backup or REINDEX): checked with "
        "SQLite's integrity_check first; needs the admin role.",
    ),
    LazyCommand(
        "erase-reason",
        _CLI + "erasure:register",
        "Erase the reason kept for a read of no case (a sample's); needs the admin role.",
    ),
    LazyCommand(
        "worklist",
        _CLI + "worklist:register",
        'List the work items of each queue of the role you act in ("My work" first: the items '
        "you hold), soonest deadline first, then most urgent.",
    ),
    LazyCommand(
        "due",
        _CLI + "deadlines:register",
        "List the deadlines not yet recorded as passed, soonest first (a police user: their "
        "force's).",
    ),
    LazyCommand(
        "tick",
        _CLI + "deadlines:register",
        "Record, as the user system, every deadline that has passed and is not yet recorded.",
    ),
    LazyCommand(
        "export-log",
        _CLI + "analytics:register",
        "Export the event log for process-mining tools: XES or OCEL 2.0 (a logged disclosure).",
    ),
    LazyCommand(
        "simulate",
        _CLI + "analytics:register",
        "What if the organisation were different? The same SYNTHETIC year under two organisation "
        "files, side by side, with the difference and its spread over several seeds (nothing is "
        "written to any database).",
    ),
    LazyCommand("case", _CLI + "cases:case_app", "Open cases, act on them, read them."),
    LazyCommand("user", _CLI + "users:user_app", "Users and their roles."),
    LazyCommand(
        "workflows",
        _CLI + "workflows:workflows_app",
        "The lifecycle definitions and their diagrams.",
    ),
    LazyCommand(
        "scenario",
        _CLI + "scenario:scenario_app",
        "Case-study flows for trainers, run only in a training database.",
    ),
    LazyCommand(
        "organisation",
        _CLI + "organisation:organisation_app",
        "The organisation file's versions, recorded in the log (docs/organisation.md).",
    ),
    LazyCommand(
        "report",
        _CLI + "mi:report_app",
        "Management information: referrals, releases, durations, High Harm.",
        also=(_CLI + "analytics",),  # report flow (issue 19)
    ),
    LazyCommand(
        "keys",
        _CLI + "integrity:keys_app",
        "The Ed25519 key pair that signs tree heads and bundles.",
    ),
    LazyCommand(
        "proof",
        _CLI + "integrity:proof_app",
        "Proofs to keep or hand over, checked with no database.",
    ),
)

app = lazy_app(
    COMMANDS,
    help="Case tracker: explicit lifecycles, an append-only tamper-evident log, a terminal UI.",
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": list(HELP_OPTION_NAMES)},
)


def show_version(value: bool) -> None:
    """``--version``: the installed distribution's version, read only when asked."""
    if value:
        from importlib.metadata import version

        typer.echo(f"casetracker {version('casetracker')}")
        raise typer.Exit()


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
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=show_version,
            is_eager=True,
            expose_value=False,
        ),
    ] = False,
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
