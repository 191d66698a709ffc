"""``casetracker scenario …``: trainers' case-study flows, in a training database only.

Every output starts with TRAINING.  ``play`` and ``fork`` write to the training database (the
default one, ``casetracker locate`` shows where, or ``--db`` if it is marked training) and refuse
any other; ``check`` runs into a fresh sandbox that is thrown away.  A scenario is rehearsed in
a throw-away sandbox before ``play`` writes anything, so a file that fails part-way never
leaves half a case behind (``scenario_runner.play``).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Annotated, Any

import typer

from casetracker import paths
from casetracker.cli.common import LARGEST_INTEGER, JsonOption
from casetracker.domain.errors import UsageError
from casetracker.services.training.player import ScenarioFailed, StepOutcome, play, run
from casetracker.services.training.scenarios import Scenario, available, load, scenario_path

BANNER = "[TRAINING]"

scenario_app = typer.Typer(
    help="Case-study flows for trainers, run only in a training database.", no_args_is_help=True
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="A training database (default: the training database in the data dir)"
    ),
]


def training_url(ctx: typer.Context, db: str | None) -> str:
    """``--db`` here or globally, else the default training database (never $CASETRACKER_DB)."""
    chosen = db or (ctx.obj.db if ctx.obj is not None else None)
    return paths.database_url(chosen or str(paths.training_db_path()))


def _echo_json(data: dict[str, Any]) -> None:
    typer.echo(json.dumps({"realm": "training", **data}, indent=2, ensure_ascii=False, default=str))


@scenario_app.command("list")
def list_cmd(json_out: JsonOption = False) -> None:
    """The shipped scenarios: name, steps, and where in the report they come from."""
    found = [load(name) for name in available()]
    if json_out:
        _echo_json(
            {
                "scenarios": [
                    {"name": s.name, "title": s.title, "source": s.source, "steps": len(s.steps)}
                    for s in found
                ]
            }
        )
        return
    typer.echo(f"{BANNER} scenarios (play one with `casetracker scenario play NAME`)")
    for s in found:
        typer.echo(f"  {s.name:<28} {len(s.steps):>3} steps  {s.title}")


@scenario_app.command("check")
def check_cmd(
    name: Annotated[str | None, typer.Argument(help="Scenario name or YAML file")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Check every shipped scenario")] = False,
    json_out: JsonOption = False,
) -> None:
    """Run a scenario into a fresh sandbox and check every expectation (exit 1 at the first
    that fails, naming it)."""
    if all_ == (name is not None):
        raise UsageError("give a scenario name, or --all, not both")
    names = available() if all_ else [str(name)]
    scenarios = [load(n) for n in names]  # every file is validated before anything runs
    reports = [_check_one(s) for s in scenarios]
    failed = [r for r in reports if not r["ok"]]
    if json_out:
        _echo_json({"ok": not failed, "scenarios": reports})
    else:
        for r in reports:
            verdict = "ok" if r["ok"] else "FAILED"
            typer.echo(
                f"{BANNER} {r['name']}: {verdict} — {r['steps']} steps, "
                f"{r['expectations']} expectations held"
            )
    if failed:
        typer.echo(f"casetracker: {failed[0]['failed']}", err=True)
        raise typer.Exit(1)


def _check_one(scenario: Scenario) -> dict[str, Any]:
    from casetracker.services.training.sandbox import fresh_sandbox

    with tempfile.TemporaryDirectory(prefix="casetracker-sandbox-") as tmp:
        url = fresh_sandbox(Path(tmp))
        try:
            result = run(scenario, url)
        except ScenarioFailed as exc:
            return {
                "name": scenario.name,
                "ok": False,
                "failed": str(exc),
                "steps": 0,
                "expectations": 0,
            }
    last = result.outcomes[-1].snapshot
    return {
        "name": scenario.name,
        "ok": True,
        "failed": None,
        "steps": len(result.outcomes),
        "expectations": result.expectations_checked,
        "end_states": last.states,
        "figures": last.figures.as_dict(),
    }


@scenario_app.command("play")
def play_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Scenario name or YAML file")],
    auto: Annotated[bool, typer.Option("--auto", help="Play every step without waiting")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Walk through a scenario one step at a time (a key for the next step, q to stop)."""
    url = training_url(ctx, db)
    scenario = load(name)
    shown: list[dict[str, Any]] = []

    def show(outcome: StepOutcome) -> bool:
        if json_out:
            shown.append(_outcome_json(outcome))
            return True
        typer.echo("\n".join(fitted(screen(scenario, outcome))))
        if auto:
            return True
        typer.echo("— any key for the next step, q to stop —")
        return _next_key().lower() != "q"

    if not json_out:
        typer.echo("\n".join(fitted([f"{BANNER} {scenario.title}", f"  {scenario.summary}"])))
    result = play(scenario, url, show)
    if json_out:
        _echo_json({"scenario": scenario.name, "case_id": result.case_id, "steps": shown})
        return
    stopped = f" (stopped after step {len(result.outcomes)})" if result.stopped_early else ""
    typer.echo(
        f"{BANNER} {scenario.name} recorded as case {result.case_id}{stopped}; "
        f"see `casetracker --db {url} --as audit.demo case timeline {result.case_id}`"
    )


def _next_key() -> str:
    """A key press at a terminal; a line from a pipe (end of input stops the play)."""
    if sys.stdin.isatty():
        return typer.getchar()
    return sys.stdin.readline()[:1] or "q"


def fitted(lines: list[str], width: int | None = None) -> list[str]:
    """``lines`` wrapped at word breaks to the terminal's width (``$COLUMNS`` when piped), each
    continuation indented under its line's text: the terminal had cut narration mid-word."""
    width = width or shutil.get_terminal_size().columns
    out: list[str] = []
    for line in lines:
        text = line.lstrip(" ")
        indent = " " * (len(line) - len(text))
        out += textwrap.wrap(
            text,
            width=max(width - 1, 20),
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        ) or [line]
    return out


def screen(scenario: Scenario, outcome: StepOutcome) -> list[str]:
    """One step as the class sees it: what happened, every lifecycle, clocks, blocks, checks."""
    from casetracker.presenters.labels import label_of, readable_text, record_state, role_label
    from casetracker.services.registry import workflow_engine

    flow = workflow_engine()  # for the definitions' labels: a person reads these, not ids
    step = outcome.step
    event = f"event {outcome.seq}" if outcome.seq else "refused, nothing recorded"
    lines = [
        "",
        f"{BANNER} {scenario.name} · step {step.number} of {outcome.total} · {event}",
        f"  {step.effective.display()} · {role_label(step.role)}: {label_of(flow, step.action)}"
        + (f" · report entry {step.entry}" if step.entry else ""),
    ]
    if step.narration:
        cited = step.cites and step.cites not in step.narration
        lines.append(f"  {step.narration}" + (f"  ({step.cites})" if cited else ""))
    if outcome.refusal:
        lines.append(f"  REFUSED as expected: {readable_text(flow, outcome.refusal)}")
    snap = outcome.snapshot
    states = (": ".join(record_state(flow, k, v)) for k, v in snap.states.items())
    lines.append("  lifecycles: " + " · ".join(states))
    lines += [f"  clock: {readable_text(flow, c)}" for c in snap.clocks]
    for action, reasons in snap.removal_blocks.items():
        said = "; ".join(readable_text(flow, r) for r in reasons)
        lines.append(f"  {label_of(flow, action)}: {said}")
    lines += [f"  ✓ {readable_text(flow, h)}" for h in outcome.held]
    lines += [f"  ✗ {readable_text(flow, f)}" for f in outcome.failed]
    return lines


def _outcome_json(outcome: StepOutcome) -> dict[str, Any]:
    step = outcome.step
    return {
        "step": step.number,
        "event": outcome.seq,
        "effective": step.effective.text,
        "recorded": outcome.recorded.isoformat(),
        "role": step.role,
        "action": step.action,
        "entry": step.entry,
        "narration": step.narration,
        "refusal": outcome.refusal,
        "held": outcome.held,
        "failed": outcome.failed,
        **outcome.snapshot.as_dict(),
    }


@scenario_app.command("fork")
def fork_cmd(
    ctx: typer.Context,
    case_id: str,
    at: Annotated[
        int, typer.Option("--at", help="Copy events 1..AT, then stop", min=0, max=LARGEST_INTEGER)
    ],
    why: Annotated[str, typer.Option(help="The question the fork asks")] = "",
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Fork a training case after one of its events, to continue it differently."""
    from casetracker.services.case_refs import resolve_case_ref
    from casetracker.services.setup import open_database
    from casetracker.services.training.sandbox import continue_hint, fork

    url = training_url(ctx, db)
    engine, _info = open_database(url)
    try:
        case_id = resolve_case_ref(engine, case_id)
    finally:
        engine.dispose()
    new_id, copied = fork(url, case_id, at, why)
    if json_out:
        _echo_json({"case_id": new_id, "forked_from": case_id, "at_event": at, "copied": copied})
        return
    typer.echo(
        f"{BANNER} forked {case_id} at event {at} into {new_id} ({copied} events copied after "
        f"its opening); continue it with {continue_hint(url, new_id)}"
    )


@scenario_app.command("path")
def path_cmd(name: Annotated[str, typer.Argument(help="Scenario name")]) -> None:
    """Print where a scenario's file is, to copy and edit it."""
    typer.echo(f"{BANNER} {scenario_path(name)}")
