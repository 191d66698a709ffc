"""The command line: thin over ``casetracker.services.cases``, one clear line on stderr for every
error.

Exit codes: 0 done · 1 refused (unknown case, stale version, blocked action, damaged log) ·
2 usage (a malformed date, field or option).  Every reading command has ``--json``.
"""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer

from casetracker import paths
from casetracker.cli import mi as cli_mi
from casetracker.cli.scenario import scenario_app
from casetracker.domain.errors import CasetrackerError, UsageError
from casetracker.domain.vocabulary import WorkflowSpec
from casetracker.presenters.text import counted

app = typer.Typer(
    help="Case tracker: explicit lifecycles, an append-only tamper-evident log, a terminal UI.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
case_app = typer.Typer(help="Open cases, act on them, read them.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
workflows_app = typer.Typer(
    help="The lifecycle definitions and their diagrams.", no_args_is_help=True
)
app.add_typer(case_app, name="case")
app.add_typer(user_app, name="user")
app.add_typer(workflows_app, name="workflows")
app.add_typer(scenario_app, name="scenario")
cli_mi.register(app)  # synth, import, sample, export, report (issue 6)

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


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: DbOption = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Act as this seeded user (demo and training databases only)"),
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="Act in this role (one the user holds)")
    ] = None,
) -> None:
    ctx.obj = State(db, as_user, role)
    if ctx.invoked_subcommand is None:
        from tui.app import run_tui

        run_tui(ctx.obj.url(), as_user=as_user, role=role)


def _obj(ctx: typer.Context) -> State:
    return ctx.obj


def _acting_role(ctx: typer.Context, ct: Any) -> None:
    """Recording in someone's name needs to know which of their roles they act in."""
    actor = ct.actor
    if _obj(ctx).role is None and len(actor.roles) > 1:
        raise UsageError(
            f"you hold several roles ({', '.join(actor.roles)}): say which you act in with --role"
        )


def _emit(data: Any, as_json: bool, text: str | list[str], realm: str | None = None) -> None:
    if as_json:
        if realm is not None and isinstance(data, dict):
            data = {"realm": realm, **data}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    if realm and realm != "live":
        typer.echo(f"[{realm.upper()} DATABASE]")
    typer.echo(text if isinstance(text, str) else "\n".join(text))


# ---------------------------------------------------------------------- setup


@app.command()
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
    from casetracker.adapters.schema import GRANT_NEEDS_POSTGRESQL, head_revision
    from casetracker.domain.identity import parse_roles
    from casetracker.services.cases import create_database, grant_application_role

    url = _obj(ctx).url(db)
    if grant_to is not None and not url.startswith("postgresql"):
        raise UsageError(GRANT_NEEDS_POSTGRESQL)  # before anything is created
    done = create_database(url, realm, parse_roles(roles))
    if done.created:
        word = "created"
    elif done.upgraded_from:
        word = f"upgraded from schema {done.upgraded_from} to {head_revision()}"
    else:
        word = "is up to date"
    typer.echo(f"{done.info.realm} database {word}: {url}")
    if grant_to is not None:
        grant_application_role(url, grant_to)
        typer.echo(f"granted the application's privileges to {grant_to}")


@app.command()
def locate(json_out: JsonOption = False) -> None:
    """Print where casetracker keeps its configuration and data."""
    data = {
        "config_dir": str(paths.config_dir()),
        "config_file": str(paths.config_file()),
        "data_dir": str(paths.data_dir()),
        "database": paths.database_url(),
        "demo_database": str(paths.demo_db_path()),
        "training_database": str(paths.training_db_path()),
    }
    _emit(data, json_out, [f"{k:18} {v}" for k, v in data.items()])


@app.command()
def demo(
    ctx: typer.Context,
    cases: Annotated[int, typer.Option(help="Generated cases, besides the two case studies")] = 300,
    no_ui: Annotated[
        bool, typer.Option("--no-ui", help="Create the database, do not open it")
    ] = False,
) -> None:
    """Create the demo database (if absent) and open it in the terminal UI."""
    from casetracker.services.demo import build_demo

    url = paths.database_url(str(paths.demo_db_path()))
    if not paths.demo_db_path().exists():
        typer.echo(f"creating the demo database at {paths.demo_db_path()} …", err=True)

        def report(done: int, total: int) -> None:
            if done % 50 == 0 or done == total:
                typer.echo(f"  {done}/{total} generated cases", err=True)

        build_demo(url, cases, progress=report)
    if not no_ui:
        from tui.app import run_tui

        state = _obj(ctx)
        run_tui(url, as_user=state.as_user, role=state.role)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the terminal UI in a browser (textual-serve).

    There is no login of its own: run it only behind an authenticating reverse proxy, on a
    demo or training database, or on localhost.
    """
    import shlex

    from textual_serve.server import Server

    state = _obj(ctx)
    argv = [sys.executable, "-m", "casetracker", "--db", state.url()]
    if state.as_user:
        argv += ["--as", state.as_user]
    if state.role:
        argv += ["--role", state.role]
    Server(shlex.join(argv), host=host, port=port, title="casetracker").serve()


# ---------------------------------------------------------------------- cases


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    field: FieldOption = None,
    effective: EffectiveOption = None,
    idempotency_key: Annotated[
        str | None, typer.Option(help="Retry-safe key: a repeat is recorded once")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Open a case for a person (personal fields are kept erasable, outside the hash chain)."""
    from casetracker.domain.fields import parse_assignments

    values = parse_assignments(field or [])
    with closing(_obj(ctx).service()) as ct:
        _acting_role(ctx, ct)
        result = ct.open_case(values, effective, idempotency_key)
        _emit(_act_json(result), json_out, f"opened {result.case_id}", ct.realm)


@case_app.command("act")
def case_act(
    ctx: typer.Context,
    case_id: str,
    action: str,
    field: FieldOption = None,
    effective: EffectiveOption = None,
    instance: Annotated[
        int | None, typer.Option(help="Which encounter / claim (default: the one the action fits)")
    ] = None,
    expect_version: Annotated[
        int | None, typer.Option(help="Refuse if the case has moved past this version")
    ] = None,
    idempotency_key: Annotated[
        str | None, typer.Option(help="Retry-safe key: a repeat is recorded once")
    ] = None,
    reason: Annotated[str, typer.Option(help="Justification recorded with the event")] = "",
    json_out: JsonOption = False,
) -> None:
    """Record an action on a case, if its lifecycle allows it now."""
    from casetracker.domain.fields import parse_assignments

    values = parse_assignments(field or [])
    with closing(_obj(ctx).service()) as ct:
        _acting_role(ctx, ct)
        result = ct.act(
            case_id,
            action,
            values,
            effective,
            expected_version=expect_version,
            instance=instance,
            idempotency_key=idempotency_key,
            justification=reason,
        )
        event = result.events[-1]
        note = " (already recorded: idempotent retry)" if result.replayed else ""
        line = (
            f"{result.case_id} event {event.seq}: {action} -> {result.instance} is {result.state}"
        )
        _emit(_act_json(result), json_out, line + note, ct.realm)


@case_app.command("show")
def case_show(
    ctx: typer.Context,
    case_id: str,
    reason: Annotated[
        str | None,
        typer.Option(help="Why you need the personal data (logged); without it, it is withheld"),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """The case now: every lifecycle's state, clocks and flags."""
    from casetracker.presenters.text import summary_json, summary_lines

    with closing(_obj(ctx).service()) as ct:
        summary = ct.show(case_id, reason)
        _emit(summary_json(summary), json_out, summary_lines(summary), ct.realm)


@case_app.command("history")
def case_history(ctx: typer.Context, case_id: str, json_out: JsonOption = False) -> None:
    """Every event of the case, in the order recorded, with both times."""
    from casetracker.presenters.text import event_line

    with closing(_obj(ctx).service()) as ct:
        events = ct.history(case_id)
        _emit(
            {"case_id": case_id, "events": [e.as_dict() for e in events]},
            json_out,
            [event_line(e) for e in events],
            ct.realm,
        )


@case_app.command("actions")
def case_actions(
    ctx: typer.Context,
    case_id: str,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list, with reasons, what only other roles may do")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """What you may do now, and for everything else, every reason it is blocked."""
    from casetracker.presenters.text import options_json, options_lines

    with closing(_obj(ctx).service()) as ct:
        view, options = ct.options(case_id)
        _emit(
            options_json(view, options, ct.actor.role),
            json_out,
            options_lines(options, show_all),
            ct.realm,
        )


@app.command()
def replay(
    ctx: typer.Context,
    case_id: str,
    as_of: Annotated[
        str | None, typer.Option(help="State as it was on this effective date")
    ] = None,
    recorded_as_of: Annotated[
        str | None, typer.Option(help="What the record said at this moment")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Rebuild a case from its log, as of an effective date or a recorded moment."""
    from casetracker.presenters.text import view_json, view_lines
    from casetracker.presenters.timeline import figures_lines, replay_figures

    with closing(_obj(ctx).service()) as ct:
        view, events = ct.replay(case_id, as_of, recorded_as_of)
        figures = replay_figures(view, events, ct.realm, as_of, recorded_as_of)
        data = {
            "case_id": case_id,
            "as_of": as_of,
            "recorded_as_of": recorded_as_of,
            "events": len(events),
            **view_json(view),
            "figures": figures.as_dict(),
        }
        lines = [f"{case_id}: {len(events)} events", *view_lines(view), *figures_lines(figures)]
        _emit(data, json_out, lines, ct.realm)


@case_app.command("timeline")
def case_timeline(ctx: typer.Context, case_id: str, json_out: JsonOption = False) -> None:
    """The case in effective-time order; entries recorded out of sequence or backdated are
    flagged with both times, and the derived figures follow."""
    from casetracker.domain import clock
    from casetracker.presenters.timeline import (
        build_timeline,
        derive_figures,
        figures_as_at,
        figures_lines,
        forked_from,
        timeline_lines,
    )

    with closing(_obj(ctx).service()) as ct:
        events = ct.history(case_id)
        entries = build_timeline(events)
        view = ct.flow.fold(case_id, events)
        figures = derive_figures(view, events, figures_as_at(ct.realm, events, clock.now()))
        fork = forked_from(events)
        data = {
            "case_id": case_id,
            "forked_from": {"case_id": fork[0], "at_event": fork[1]} if fork else None,
            "entries": [e.as_dict() for e in entries],
            "figures": figures.as_dict(),
        }
        head = [f"{case_id}: {len(entries)} entries in effective-time order (! = flagged)"]
        if fork:
            head.append(f"training fork of {fork[0]} at event {fork[1]}")
        lines = [*head, *timeline_lines(entries), *figures_lines(figures)]
        _emit(data, json_out, lines, ct.realm)


# ---------------------------------------------------------------------- integrity


@app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Also check against a checkpoint kept elsewhere")
    ] = None,
    json_out: JsonOption = False,
    bundle: Annotated[
        Path | None, typer.Option(help="Verify this export bundle instead, with no database")
    ] = None,
) -> None:
    """Re-check every chain, the projection and the access log; exit 1 if anything is wrong."""
    if bundle is not None:
        if not cli_mi.verify_bundle_file(bundle, json_out):
            raise typer.Exit(1)
        return
    saved = _read_json_file(checkpoint) if checkpoint else None
    with closing(_obj(ctx).service()) as ct:
        report = ct.verify(saved)
        lines = [f"{counted(report.events, 'event')} in {counted(report.cases, 'case')} checked"]
        lines += [f"DAMAGED {d}" for d in report.damaged]
        lines += [f"PROBLEM {p}" for p in report.problems]
        lines.append("intact" if report.ok else "NOT intact")
        _emit(report.as_dict(), json_out, lines, ct.realm)
    if not report.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint_cmd(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of standard output")
    ] = None,
) -> None:
    """Print a small summary of the whole log to keep somewhere else."""
    with closing(_obj(ctx).service()) as ct:
        data = ct.checkpoint()
    text = json.dumps(data, indent=2)
    if out:
        out.write_text(text + "\n")
        typer.echo(f"checkpoint at position {data['position']} written to {out}")
    else:
        typer.echo(text)


@app.command()
def rebuild(ctx: typer.Context) -> None:
    """Recompute every case's current state from the log."""
    with closing(_obj(ctx).service()) as ct:
        count = ct.rebuild()
    typer.echo(f"rebuilt the current state of {counted(count, 'case')} and every read model")


@app.command("access-log")
def access_log_cmd(
    ctx: typer.Context,
    case_id: Annotated[str | None, typer.Argument()] = None,
    limit: int = 50,
    json_out: JsonOption = False,
) -> None:
    """Who consulted, disclosed or was refused what (newest last)."""
    from casetracker.presenters.text import access_line

    with closing(_obj(ctx).service()) as ct:
        entries = ct.access_entries(case_id, limit)
        _emit(
            {"entries": [e.as_dict() for e in entries]},
            json_out,
            [access_line(e) for e in entries],
            ct.realm,
        )


# ---------------------------------------------------------------------- workflows


@workflows_app.command("list")
def workflows_list(json_out: JsonOption = False) -> None:
    """Every lifecycle, its version and what it covers."""
    from casetracker.services.registry import workflow_engine

    specs = list(workflow_engine().latest.values())
    data = {
        "workflows": [
            {
                "name": w.name,
                "version": w.version,
                "label": w.label,
                "many": w.many,
                "states": len(w.states),
                "actions": len(w.actions),
                "cites": w.cites,
            }
            for w in specs
        ]
    }
    lines = [f"{w.name:<14} v{w.version}  {w.label:<34} {w.cites}" for w in specs]
    _emit(data, json_out, lines)


@workflows_app.command("show")
def workflows_show(
    name: str,
    version: Annotated[int | None, typer.Option(help="A given version (default: latest)")] = None,
    json_out: JsonOption = False,
) -> None:
    """States, actions, roles, fields and guards of one lifecycle."""
    from casetracker.presenters.text import spec_json, spec_lines

    spec = _spec(name, version)
    _emit(spec_json(spec), json_out, spec_lines(spec))


@workflows_app.command("diagram")
def workflows_diagram(
    ctx: typer.Context,
    name: str,
    case_id: Annotated[
        str | None, typer.Option("--case", help="Highlight this case's state")
    ] = None,
    instance: Annotated[
        int | None, typer.Option(help="Which encounter / claim of the case")
    ] = None,
) -> None:
    """The lifecycle as a Mermaid state diagram, a case's current state highlighted."""
    from casetracker.domain.case_view import instance_key
    from casetracker.presenters.diagrams import mermaid

    spec = _spec(name, None)
    current = None
    if case_id:
        with closing(_obj(ctx).service()) as ct:
            view, _ = ct.replay(case_id)
        found = view.of(name)
        if instance is not None:
            found = [i for i in found if i.key == instance_key(name, instance)]
        if found:
            spec, current = ct.flow.spec(name, found[-1].version), found[-1].state
        elif not spec.many:
            current = spec.initial  # nothing recorded yet: the lifecycle is where it starts
        else:
            raise UsageError(f"case {case_id} has no {spec.label.lower()} to highlight")
    typer.echo(mermaid(spec, current))


def _spec(name: str, version: int | None) -> WorkflowSpec:
    from casetracker.services.registry import workflow_engine

    flow = workflow_engine()
    if name not in flow.latest:
        raise UsageError(f"unknown lifecycle {name!r} (see `casetracker workflows list`)")
    if version is not None and (name, version) not in flow.specs:
        raise UsageError(f"{name} has no version {version}")
    return flow.spec(name, version)


# ---------------------------------------------------------------------- users


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: str,
    roles: Annotated[str, typer.Option(help="Comma-separated roles")],
    display_name: Annotated[str, typer.Option(help="Full name")] = "",
) -> None:
    """Register a user (or change their roles); needs the admin role."""
    from casetracker.domain.identity import parse_roles

    with closing(_obj(ctx).service()) as ct:
        ct.save_user(name, display_name, parse_roles(roles))
    typer.echo(f"user {name}: {roles}")


@user_app.command("list")
def user_list(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Every registered user and their roles."""
    with closing(_obj(ctx).service()) as ct:
        users = ct.users()
        _emit(
            {"users": [u.__dict__ for u in users]},
            json_out,
            [f"{u.name:16} {','.join(u.roles):40} {u.display_name}" for u in users],
            ct.realm,
        )


# ---------------------------------------------------------------------- plumbing


def _act_json(result: Any) -> dict[str, Any]:
    return {
        "case_id": result.case_id,
        "instance": result.instance,
        "state": result.state,
        "replayed": result.replayed,
        "events": [e.as_dict() for e in result.events],
    }


def _read_json_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a checkpoint")
    return data


def main() -> None:
    """Console entry point: one line on stderr and a meaningful exit code for every error."""
    try:
        code = app(standalone_mode=False)
    except CasetrackerError as exc:
        typer.echo(f"casetracker: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        ctx = getattr(exc, "ctx", None)
        hint = f" — see `{ctx.command_path} --help`" if ctx is not None else ""
        typer.echo(f"casetracker: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("casetracker: aborted", err=True)
        sys.exit(1)
    except Exception as exc:
        driver_error = _driver_error(exc)
        if driver_error is None:
            raise
        typer.echo(f"casetracker: cannot read the database: {driver_error}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _driver_error(exc: Exception) -> str | None:
    """What a database driver said, when it raised something no command expects (a file that
    is damaged under SQLite's own checks, text that is not UTF-8, a server gone away); None
    for any other exception, which is a bug and keeps its traceback."""
    import sqlite3

    import sqlalchemy as sa

    if isinstance(exc, sa.exc.DBAPIError):
        return str(exc.orig).strip()
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg"):
        return str(exc).strip()
    return None
