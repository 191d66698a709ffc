"""Commands registered by name and loaded when run: the one way the main application adds them.

Importing every command's module (and through them SQLAlchemy, the services and the presenters)
cost about a second before ``casetracker --help`` printed anything.  The main application lists
each top-level command here with its one-line help; a command's module is imported only when
that command is run, completed or asked for its own help.  ``tests/cli/test_startup.py`` holds
the listed help to what each command says of itself, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.core
import typer.main


@dataclass(frozen=True)
class LazyCommand:
    """A top-level command: where it lives and what ``casetracker --help`` says of it.

    ``target`` is ``module:attribute``: a ``typer.Typer`` sub-application (``case``,
    ``report``), or the module's ``register(app)`` function that adds the command by this name.
    ``also`` are modules that add to it when imported (``report flow`` joins ``report``).
    """

    name: str
    target: str
    help: str
    also: Sequence[str] = ()

    def load(self) -> Any:
        """The command itself, its module imported now."""
        module_name, attribute = self.target.split(":")
        for extra in self.also:
            importlib.import_module(extra)
        found = getattr(importlib.import_module(module_name), attribute)
        holder = typer.Typer()
        if isinstance(found, typer.Typer):
            holder.add_typer(found, name=self.name)
        else:
            found(holder)
        command = typer.main.get_group(holder).commands.get(self.name)
        if command is None:
            raise LookupError(f"{self.target} adds no command {self.name!r}")
        return reflow_help(quiet_flags(command))


def reflow_help(command: Any) -> Any:
    """Typer's rich help keeps a docstring's line breaks after its first paragraph, so that a
    paragraph broke wherever the source did ("… the server runs" / "as."): each paragraph's
    lines are joined here and the terminal wraps them.  A paragraph with an indented line (an
    example) or one Click is told to keep (``\\b``) stays as written."""
    if command.help:
        command.help = "\n\n".join(map(_reflowed, command.help.split("\n\n")))
    for child in getattr(command, "commands", {}).values():
        reflow_help(child)
    return command


def _reflowed(paragraph: str) -> str:
    lines = paragraph.strip("\n").split("\n")
    if paragraph.startswith("\b") or any(line[:1].isspace() for line in lines[1:]):
        return paragraph
    return " ".join(line.strip() for line in lines)


def quiet_flags(command: Any) -> Any:
    """Show a flag in help as just its name: Typer's rich help would print ``--json <bool>``.

    A flag takes no value, so its metavar is empty; ``--help`` itself is made here too (it is
    otherwise made on first use), with the names the main application's context settings give.
    """
    context = typer.Context(command, help_option_names=list(HELP_OPTION_NAMES))
    for param in [*command.params, command.get_help_option(context)]:
        _quiet(param)
    for child in getattr(command, "commands", {}).values():
        quiet_flags(child)
    return command


def _quiet(param: object) -> None:
    if isinstance(param, typer.core.TyperOption) and param.is_flag and param.metavar is None:
        param.metavar = ""


HELP_OPTION_NAMES = ("-h", "--help")


class LazyGroup(typer.core.TyperGroup):
    """The main application's group: each command in ``commands`` stands in for itself, with
    its one-line help, until it is resolved to be run."""

    commands_by_name: ClassVar[dict[str, LazyCommand]] = {}

    def __init__(self, **attrs: object) -> None:
        super().__init__(**attrs)  # type: ignore[arg-type]
        quiet_flags(self)
        for name, entry in self.commands_by_name.items():
            self.commands.setdefault(name, typer.core.TyperCommand(name, short_help=entry.help))

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's options, with the completion flags Typer appends after building it."""
        params = super().get_params(ctx)
        for param in params:
            _quiet(param)
        return params

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name = args[0] if args else None
        entry = self.commands_by_name.get(name or "")
        if entry is not None:
            if entry.name not in _loaded:
                _loaded[entry.name] = entry.load()
            self.commands[entry.name] = _loaded[entry.name]
        return super().resolve_command(ctx, args)


# Each command is built once a process (the tests run the application many times).
_loaded: dict[str, Any] = {}


def lazy_app(commands: Sequence[LazyCommand], **settings: object) -> typer.Typer:
    """The application, its commands listed (not imported) with ``LazyGroup``."""

    class Group(LazyGroup):
        commands_by_name: ClassVar[dict[str, LazyCommand]] = {c.name: c for c in commands}

    return typer.Typer(cls=Group, **settings)  # type: ignore[arg-type]
