"""The command line starts quickly and says the same of each command wherever it is listed.

Commands are listed by name in ``casetracker.cli.main.COMMANDS`` and imported only when run
(casetracker.cli.lazy).  These tests hold that list to the commands' own modules, check that
``--help`` and ``locate`` import neither SQLAlchemy nor the services, and cover ``--version``,
``-h``, shell completion and help without ``<bool>`` after a flag.  The time itself is measured
by ``benchmarks/bench_startup.py``, not here.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest
import typer
import typer.main

from casetracker.cli.main import COMMANDS

REGISTERING_MODULES = (
    "mi",
    "setup",
    "cases",
    "integrity",
    "damage",
    "erasure",
    "worklist",
    "deadlines",
    "analytics",
)
SUB_APPS = {
    "case": "cases:case_app",
    "user": "users:user_app",
    "workflows": "workflows:workflows_app",
    "scenario": "scenario:scenario_app",
    "organisation": "organisation:organisation_app",
}


def first_paragraph(text: str | None) -> str:
    return " ".join(inspect.cleandoc(text or "").split("\n\n")[0].split())


def test_every_registered_command_is_listed() -> None:
    """A command a module adds with ``register(app)`` is missing from the application unless
    it is listed in COMMANDS: this fails first, naming it."""
    holder = typer.Typer()
    for name in REGISTERING_MODULES:
        importlib.import_module(f"casetracker.cli.{name}").register(holder)
    registered = set(typer.main.get_group(holder).commands) | set(SUB_APPS)
    assert registered == {c.name for c in COMMANDS}


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda c: c.name)
def test_listed_help_is_the_commands_own(entry) -> None:
    command = entry.load()
    assert command.name == entry.name
    assert first_paragraph(entry.help) == first_paragraph(command.help)


def test_sub_apps_are_where_listed() -> None:
    for name, target in SUB_APPS.items():
        entry = next(c for c in COMMANDS if c.name == name)
        assert entry.target == f"casetracker.cli.{target}"


# Besides those: what --help has no use for (the driver, the case model and its time zones,
# the log's encoding, which a callback asks for only when an option is given).
HELP_ALONE = (
    "sqlite3",
    "zoneinfo",
    "casetracker.domain.case_view",
    "casetracker.integrity.encoding",
)


@pytest.mark.parametrize(
    ("argv", "also"), [(["--help"], HELP_ALONE), (["locate"], ())], ids=["--help", "locate"]
)
def test_start_up_imports_no_database_layer(argv, also, tmp_path) -> None:
    """What made ``--help`` take a second: SQLAlchemy, the services, the presenters."""
    heavy = (
        "sqlalchemy",
        "alembic",
        "casetracker.services.cases",
        "casetracker.presenters.text",
        "textual",
        *also,
    )
    probe = (
        "import sys\n"
        f"sys.argv = ['casetracker', *{argv!r}]\n"
        "from casetracker.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {heavy!r} if m in sys.modules])\n"
    )
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.splitlines()[-1] == "LOADED []"


def test_version(run) -> None:
    from importlib.metadata import version

    result = run("--version")
    assert result.code == 0
    assert result.out == f"casetracker {version('casetracker')}\n"


def test_short_help_is_help(run) -> None:
    assert run("-h").out == run("--help").out
    assert run("case", "show", "-h").out == run("case", "show", "--help").out


def test_help_shows_completion_and_no_bool_noise(run) -> None:
    top = run("--help").out
    assert "--install-completion" in top and "--version" in top
    for entry in COMMANDS:
        nested = [[entry.name, sub, "--help"] for sub in _subs(entry)]
        for argv in [[entry.name, "--help"], *nested]:
            text = run(*argv).out
            assert "<bool>" not in text, argv
    assert "<bool>" not in top


def _subs(entry) -> list[str]:
    command = entry.load()
    return list(getattr(command, "commands", {}))


def test_completion_script_and_lazy_completion(run, monkeypatch) -> None:
    script = run("--show-completion", "bash")
    assert script.code == 0 and "_CASETRACKER_COMPLETE" in script.out
    monkeypatch.setenv("_CASETRACKER_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "casetracker case sh")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert run().out.split() == ["show"]
    monkeypatch.setenv("COMP_WORDS", "casetracker loc")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert run().out.split() == ["locate"]


def test_unknown_command_is_one_line(run) -> None:
    result = run("nosuch")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "No such command 'nosuch'" in result.err


def _helps(command) -> list[tuple[str, str]]:
    found = [(command.name, command.help or "")]
    for child in getattr(command, "commands", {}).values():
        found += _helps(child)
    return found


def test_help_paragraphs_wrap_at_the_terminal_not_where_the_source_broke() -> None:
    """Typer's rich help prints a later paragraph's line breaks as they are ("… the server
    runs" / "as."); every command's paragraphs are one line each, unless indented or marked
    to be kept (issue 17)."""
    broken = []
    for entry in COMMANDS:
        for name, text in _helps(entry.load()):
            for paragraph in text.split("\n\n"):
                lines = paragraph.strip("\n").split("\n")
                kept = paragraph.startswith("\b") or any(line[:1].isspace() for line in lines[1:])
                if len(lines) > 1 and not kept:
                    broken.append((name, paragraph))
    assert not broken, broken[:3]
    serve = next(e for e in COMMANDS if e.name == "serve").load()
    assert "acts as the user the server runs as." in serve.help
